/**
 * SECURITY.md R10: a relay beside ours that turns hostile (junk, 1 MiB frames, `CLOSED`, `OK false`). The app says
 * so in Settings, the devices' connections hold, and devices still meet through the honest relay.
 */
import { expect, test, type Device } from './fixtures.ts'
import { HostileRelay, JUNK_FRAME_ERROR, REFUSAL } from './hostile-relay.ts'
import { CLOSED_CONNECTION, LINKED, linkedPair, openPersonal, peersOf, recordPeers } from './linked-devices.ts'
import { relayWords, toSettings, useRelays } from './relay-status.ts'

test.setTimeout(150_000)

const device = async (open: (options: { serviceWorkers: 'block' }) => Promise<Device>): Promise<Device> => {
  const opened = await open({ serviceWorkers: 'block' })
  await recordPeers(opened.context)
  return opened
}

test('a relay that sends junk, 1 MiB frames, CLOSED and OK false is named in Settings; devices keep syncing and meet through the honest relay', async ({
  openPersistentDevice,
  signal,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  errors.allow(JUNK_FRAME_ERROR)
  const hostile = new HostileRelay(`${new URL(signal.relayUrl).origin}/r/hostile`)
  const a = await device(openPersistentDevice)
  const b = await device(openPersistentDevice)
  await hostile.attach(a.context)
  await hostile.attach(b.context)
  await linkedPair(a, b)
  // Both devices use the hostile relay first, then ours; while it plays a black hole they meet through ours.
  await useRelays(a, [hostile.url, signal.relayUrl])
  await useRelays(b, [hostile.url, signal.relayUrl])
  const spaceA = await openPersonal(a)
  const spaceB = await openPersonal(b)
  await expect(a.page.getByTestId('sync-status')).toHaveText('Up to date with 1 device', LINKED)
  // Another tab of A shows what A's leader tab sees of each relay.
  const settings = await a.context.newPage()
  await settings.goto('/#/settings')
  await expect(relayWords(settings, hostile.url)).toHaveText('Connected', LINKED)
  await expect(relayWords(settings, signal.relayUrl)).toHaveText('Connected')
  expect(hostile.received.get('REQ') ?? 0).toBeGreaterThan(0)

  // The connections A holds when the attack starts.
  const open = (await peersOf(a.page)).flatMap((peer, index) =>
    peer.connectedAt !== undefined && peer.closedAt === undefined ? [index] : [],
  )
  expect(open.length).toBeGreaterThan(0)
  hostile.attack()
  await expect(relayWords(settings, hostile.url)).toHaveText(
    // The junk line and the 1 MiB non-JSON frame; its 1 MiB EVENT is read as Trystero reads it (SECURITY.md R20).
    `Refused our messages; not used again until the app is reloaded. It sent 2 unreadable messages, ignored. The relay said: “${REFUSAL}”`,
    LINKED,
  )
  await expect(relayWords(settings, signal.relayUrl)).toHaveText('Connected')
  // Trystero drops the relay on both devices: it closes its sockets to it.
  await expect.poll(() => hostile.live, LINKED).toBe(0)

  // The connection A and B held before the attack still carries their edits, both ways.
  await spaceA.addTask('After the attack, from A')
  await spaceB.tasks.getByText('After the attack, from A', { exact: true }).waitFor(LINKED)
  await spaceB.addTask('After the attack, from B')
  await spaceA.tasks.getByText('After the attack, from B', { exact: true }).waitFor(LINKED)
  const now = await peersOf(a.page)
  expect(open.map((index) => now[index]?.closedAt)).toEqual(open.map(() => undefined))

  // A new meeting: B reloads (its new page is refused by the hostile relay at once) and meets A through ours.
  await b.page.reload()
  await expect(b.page.getByTestId('sync-status')).toHaveText('Up to date with 1 device', LINKED)
  await spaceB.addTask('After B reloaded')
  await spaceA.tasks.getByText('After B reloaded', { exact: true }).waitFor(LINKED)
  await toSettings(b.page)
  await expect(relayWords(b.page, hostile.url)).toContainText(`The relay said: “${REFUSAL}”`, LINKED)
  await expect(relayWords(b.page, signal.relayUrl)).toHaveText('Connected')
})
