/**
 * Two and three linked profiles over real WebRTC through the local signal worker: revoke cuts a device off,
 * edits made apart converge, a follower tab takes over from a closed leader, and three devices edit live.
 * Shared steps are in `linked-devices.ts`.
 */
import { expect, test, type Device } from './fixtures.ts'
import {
  CLOSED_CONNECTION,
  LINKED,
  linkedPair,
  linkFrom,
  openPeers,
  openPersonal,
  peersOf,
  recordPeers,
} from './linked-devices.ts'
import { SpacePage } from './pages/space-page.ts'

test.describe.configure({ mode: 'default' })
test.setTimeout(120_000)

const device = async (open: (options: { serviceWorkers: 'block' }) => Promise<Device>): Promise<Device> => {
  const opened = await open({ serviceWorkers: 'block' })
  await recordPeers(opened.context)
  return opened
}

test('a revoked device is cut off within 2 s, keeps its copy, and never gets back in', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const a = await device(openPersistentDevice)
  const b = await device(openPersistentDevice)
  await linkedPair(a, b)
  await expect(b.page.getByTestId('sync-status')).toContainText('Up to date with 1 device', LINKED)
  expect(await openPeers(b.page)).toBeGreaterThan(0)

  await a.page.goto('/')
  await a.page.getByText('Devices', { exact: true }).click()
  let revokedAt = 0
  a.page.once('dialog', (dialog) => {
    revokedAt = Date.now()
    void dialog.accept()
  })
  await a.page.getByRole('button', { name: 'Revoke Phone' }).click()
  await expect(a.page.getByRole('list', { name: 'Devices' }).getByText('revoked')).toBeVisible()

  await expect(b.page.getByRole('heading', { name: 'This device was removed from your identity' })).toBeVisible(LINKED)
  // The connections B held when A revoked it; B may dial again after, and is refused at the handshake.
  const held = async () => (await peersOf(b.page)).filter((peer) => (peer.connectedAt ?? Infinity) < revokedAt)
  await expect.poll(async () => (await held()).every((peer) => peer.closedAt !== undefined), LINKED).toBe(true)
  const cutMs = Math.max(...(await held()).map((peer) => peer.closedAt ?? Infinity)) - revokedAt
  test.info().annotations.push({ type: 'revoke -> B connection closed (ms)', description: String(cutMs) })
  console.info(`revoke -> B's connection closed: ${String(cutMs)} ms`)
  expect(cutMs).toBeLessThan(2_000)
  // The local copy stays readable: the personal space is still listed.
  await expect(b.page.getByRole('link', { name: /Personal/ })).toBeVisible()

  // A edits afterwards; B reloads and does not get back in: neither counts the other as a live device.
  const spaceA = await openPersonal(a)
  await spaceA.addTask('After the revoke')
  await b.page.reload()
  await expect(b.page.getByTestId('sync-status')).toHaveText('Only on this device', LINKED)
  await expect(a.page.getByTestId('sync-status')).toHaveText('Only on this device', LINKED)
})

test('when the leader tab closes mid-edit, the other tab leads within 2 s and nothing typed is lost', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const a = await device(openPersistentDevice)
  const b = await device(openPersistentDevice)
  const { spaceA, spaceB } = await linkedPair(a, b)
  const follower = await b.context.newPage()
  await follower.goto(b.page.url())
  const spaceF = new SpacePage(follower)
  await spaceF.tasks.getByText('Written on A', { exact: true }).waitFor()
  // Only the leader (the first tab) connects; both say the same words.
  await expect(spaceB.page.getByTestId('sync-status')).toHaveText('Up to date with 1 device', LINKED)
  await expect(follower.getByTestId('sync-status')).toHaveText('Up to date with 1 device', LINKED)
  expect(await openPeers(b.page)).toBeGreaterThan(0)
  expect(await peersOf(follower)).toEqual([])

  await spaceF.createNote('Plan', 'Typed in the follower')
  const closedAt = Date.now()
  await b.page.close()
  await follower.keyboard.type(', then more')
  await expect.poll(() => openPeers(follower), LINKED).toBeGreaterThan(0)
  // Its mesh starts with its first RTCPeerConnection (Trystero makes offers as it joins), then connects to A.
  const peers = await peersOf(follower)
  const leadMs = Math.min(...peers.map((peer) => peer.createdAt)) - closedAt
  const connectMs = Math.min(...peers.map((peer) => peer.connectedAt ?? Infinity)) - closedAt
  test.info().annotations.push({ type: 'leader closed -> follower leads (ms)', description: String(leadMs) })
  test
    .info()
    .annotations.push({ type: 'leader closed -> follower connected to A (ms)', description: String(connectMs) })
  console.info(`leader closed -> follower leads: ${String(leadMs)} ms, connected to A: ${String(connectMs)} ms`)
  expect(leadMs).toBeLessThan(2_000)
  await spaceA.notes.getByRole('link', { name: 'Plan' }).click(LINKED)
  await expect(spaceA.noteText).toHaveText('Typed in the follower, then more', LINKED)
})

test('a third device linked from the first: all three edit live', async ({ openPersistentDevice, errors }) => {
  errors.allow(CLOSED_CONNECTION)
  const a = await device(openPersistentDevice)
  const b = await device(openPersistentDevice)
  const c = await device(openPersistentDevice)
  const { spaceB } = await linkedPair(a, b)
  const spaceC = await linkFrom(a, c, 'Tablet')
  const spaceA = await openPersonal(a)
  const spaces = [spaceA, spaceB, spaceC]
  for (const space of spaces) {
    await expect(space.page.getByTestId('sync-status')).toHaveText('Up to date with 2 devices', LINKED)
  }
  for (const [i, space] of spaces.entries()) await space.addTask(`Live on ${'ABC'[i] ?? ''}`)
  for (const space of spaces) {
    for (const title of ['Live on A', 'Live on B', 'Live on C']) {
      await space.tasks.getByText(title, { exact: true }).waitFor(LINKED)
    }
  }
})
