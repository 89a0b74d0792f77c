/**
 * Removal between two browser profiles over real WebRTC through the local signal worker: the owner removes a guest
 * who joined by an invite link; the guest's connection closes, nothing written afterwards reaches it (document bytes
 * counted on its data channels), the owner's space room moves to a new id (the swarm secret rotated) that the guest
 * never joins, and the guest's copy stays readable with who removed it; the open group link is cancelled with the
 * removal. A member whose device was closed through the removal catches up in the room it held. The rooms and bytes
 * are read by an init script of this spec only (the shipped app has no such hook).
 */
import type { BrowserContext, Page } from '@playwright/test'
import { expect, test, type Device } from './fixtures.ts'
import { CLOSED_CONNECTION, LINKED } from './linked-devices.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'
import { createLink, joinWithName, memberNamed, openMembers } from './sharing.ts'

test.describe.configure({ mode: 'default' })
test.setTimeout(120_000)

interface Traffic {
  /** Space rooms joined (Trystero derives each room's namespace from `Trystero:<appId>:<roomId>`), with when. */
  readonly rooms: { roomId: string; at: number }[]
  /** automerge-repo bytes received (Trystero frames whose action type is `cp.am`), with when. */
  readonly documentBytes: { bytes: number; at: number }[]
  /** Each WebRTC connection: the document bytes it carried, and when it closed (its first sign of closing). */
  readonly connections: { documentBytes: number; closedAt: number | undefined }[]
}

declare global {
  interface Window {
    e2eTraffic?: Traffic
  }
}

const recordTraffic = async (context: BrowserContext): Promise<void> => {
  await context.addInitScript(() => {
    // A new page starts on about:blank, which has no crypto.subtle to wrap.
    if (!window.isSecureContext) return
    const traffic: Traffic = { rooms: [], documentBytes: [], connections: [] }
    window.e2eTraffic = traffic
    const decoder = new TextDecoder()
    const digest = crypto.subtle.digest.bind(crypto.subtle)
    crypto.subtle.digest = (algorithm, data) => {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer)
      const text = decoder.decode(bytes.slice(0, 200))
      const prefix = 'Trystero:commonplace/1:'
      if (text.startsWith(prefix)) traffic.rooms.push({ roomId: text.slice(prefix.length), at: Date.now() })
      return digest(algorithm, data)
    }
    const Original = window.RTCPeerConnection
    class Counted extends Original {
      constructor(config?: RTCConfiguration) {
        super(config)
        const connection: Traffic['connections'][number] = { documentBytes: 0, closedAt: undefined }
        traffic.connections.push(connection)
        const closed = (): void => {
          connection.closedAt ??= Date.now()
        }
        const count = (event: MessageEvent): void => {
          const data: unknown = event.data
          if (!(data instanceof ArrayBuffer)) return
          // Trystero's frame starts with a header naming the room's namespace and the action type, then the payload.
          const header = decoder.decode(new Uint8Array(data, 0, Math.min(160, data.byteLength)))
          if (!header.includes('cp.am')) return
          traffic.documentBytes.push({ bytes: data.byteLength, at: Date.now() })
          connection.documentBytes += data.byteLength
        }
        const watch = (channel: RTCDataChannel): void => {
          channel.addEventListener('message', count)
          channel.addEventListener('close', closed)
        }
        this.addEventListener('connectionstatechange', () => {
          if (this.connectionState === 'closed' || this.connectionState === 'failed') closed()
        })
        this.addEventListener('datachannel', (event) => {
          watch(event.channel)
        })
        const createDataChannel = this.createDataChannel.bind(this)
        this.createDataChannel = (label, init) => {
          const channel = createDataChannel(label, init)
          watch(channel)
          return channel
        }
        const close = this.close.bind(this)
        this.close = () => {
          closed()
          close()
        }
      }
    }
    window.RTCPeerConnection = Counted
  })
}

const trafficOf = (page: Page): Promise<Traffic> =>
  page.evaluate(() => window.e2eTraffic ?? { rooms: [], documentBytes: [], connections: [] })

const joinedBefore = async (page: Page, at: number): Promise<Set<string>> =>
  new Set((await trafficOf(page)).rooms.filter((room) => room.at < at).map((room) => room.roomId))

/** Ada's space "Garden plans" with a task; Bea joins it from Ada's invite link as an editor. */
const gardenWithBea = async (ada: Device, bea: Device): Promise<{ onAda: SpacePage; onBea: SpacePage }> => {
  await ada.page.goto('/')
  await new IdentityPage(ada.page).createAndContinue('Ada')
  const onAda = new SpacePage(ada.page)
  await onAda.createSpace('Garden plans')
  await onAda.addTask('Before the removal')
  await ada.page.getByRole('button', { name: 'Share' }).click()
  await ada.page.getByRole('button', { name: 'Create invite link' }).click()
  const url = (await ada.page.getByTestId('invite-url').textContent()) ?? ''
  await bea.page.goto(url)
  await bea.page.getByLabel('Your name').fill('Bea', LINKED)
  await bea.page.getByRole('button', { name: 'Join' }).click()
  const onBea = new SpacePage(bea.page)
  await onBea.tasks.getByText('Before the removal', { exact: true }).waitFor(LINKED)
  await onBea.addTask('Written by Bea')
  await onAda.tasks.getByText('Written by Bea', { exact: true }).waitFor(LINKED)
  return { onAda, onBea }
}

test('a removed member is cut off, gets no document byte afterwards, and the room moves where it cannot follow', async ({
  openPersistentDevice,
  openDevices,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const ada = await openPersistentDevice({ serviceWorkers: 'block' })
  const bea = await openPersistentDevice({ serviceWorkers: 'block' })
  for (const device of [ada, bea]) await recordTraffic(device.context)
  const { onAda, onBea } = await gardenWithBea(ada, bea)
  // A link for a group, which Bea may hold too: the removal offers to cancel it, checked.
  const groupLink = await createLink(ada.page, { uses: 5 })

  await ada.page.getByRole('button', { name: /^Members/ }).click()
  const panel = ada.page.getByRole('region', { name: 'Members' })
  await memberNamed(panel, 'Bea').getByRole('button', { name: 'Remove' }).click()
  await expect(
    panel.getByRole('checkbox', {
      name: 'Also cancel the open invitation link: anyone who has it, Bea too, could join with it',
    }),
  ).toBeChecked()
  const removedAt = Date.now()
  await panel.getByRole('button', { name: 'Remove Bea' }).click()
  await onAda.addTask('After the removal')

  // Bea's connections that carried the space's documents close.
  const held = async () => (await trafficOf(bea.page)).connections.filter((each) => each.documentBytes > 0)
  expect((await held()).length).toBeGreaterThan(0)
  await expect.poll(async () => (await held()).every((each) => each.closedAt !== undefined), LINKED).toBe(true)
  const cutMs = Math.max(...(await held()).map((each) => each.closedAt ?? Infinity)) - removedAt
  test.info().annotations.push({ type: 'remove -> Bea connection closed (ms)', description: String(cutMs) })
  console.info(`remove -> Bea's connection closed: ${String(cutMs)} ms`)
  expect(cutMs).toBeLessThan(2_000)

  // Bea's page, still open, is told as Ada cuts it off: the removal notice, which its own fold verifies.
  await expect(bea.page.getByText('You were removed from Garden plans by Ada')).toBeVisible(LINKED)
  const shownMs = Date.now() - removedAt
  test.info().annotations.push({ type: 'remove -> sentence on Bea (ms)', description: String(shownMs) })
  console.info(`remove -> "You were removed" on Bea's open page: ${String(shownMs)} ms`)
  expect(shownMs).toBeLessThan(5_000)

  // Ada's space room moved to a new id: the rotated secret's.
  const adaBefore = await joinedBefore(ada.page, removedAt)
  await expect
    .poll(async () => (await trafficOf(ada.page)).rooms.filter((room) => !adaBefore.has(room.roomId)).length, LINKED)
    .toBeGreaterThan(0)
  const fresh = (await trafficOf(ada.page)).rooms.filter((room) => !adaBefore.has(room.roomId)).map((r) => r.roomId)

  // Give Ada's tasks every chance to arrive, then count: none of them, no document byte after the cut, no new room.
  await onAda.addTask('Later still')
  const afterCut = removedAt + cutMs
  const lateBytes = (traffic: Traffic) =>
    traffic.documentBytes.filter((each) => each.at > afterCut).reduce((sum, each) => sum + each.bytes, 0)
  const beforeReload = await trafficOf(bea.page)
  await bea.page.reload()
  await expect(onBea.tasks.getByText('Before the removal', { exact: true })).toBeVisible(LINKED)
  await expect(onBea.tasks.getByText('After the removal', { exact: true })).toHaveCount(0)
  await expect(onBea.tasks.getByText('Later still', { exact: true })).toHaveCount(0)
  // After the reload the removal is still there (in Bea's own copy of the log), and the copy stays readable.
  await expect(bea.page.getByText('You were removed from Garden plans by Ada')).toBeVisible(LINKED)
  await expect(onBea.tasks.getByText('Written by Bea', { exact: true })).toBeVisible()
  const afterReload = await trafficOf(bea.page)
  const late = lateBytes(beforeReload) + lateBytes(afterReload)
  console.info(`document bytes Bea received after the cut: ${String(late)}; Ada's new rooms: ${String(fresh.length)}`)
  expect(late).toBe(0)
  const beaRooms = [...beforeReload.rooms, ...afterReload.rooms].map((room) => room.roomId)
  expect(beaRooms.length).toBeGreaterThan(0)
  expect(beaRooms.some((roomId) => fresh.includes(roomId))).toBe(false)

  // The group link went with the removal: Bea cannot come back through it in a fresh browser, as someone new.
  await expect(ada.page.getByTestId('share-panel').getByText('No open invitations.')).toBeVisible(LINKED)
  const [asNew] = await openDevices(1)
  if (asNew === undefined) throw new Error('no browser')
  await asNew.page.goto(groupLink)
  await expect(asNew.page.getByTestId('invite-state')).toHaveText(
    'This invitation was cancelled. Ask the person who sent it for a new link.',
    LINKED,
  )
})

test('a member whose device was closed through a removal catches up in the room it held, and moves on to the new one', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const ada = await openPersistentDevice({ serviceWorkers: 'block' })
  const bea = await openPersistentDevice({ serviceWorkers: 'block' })
  const cy = await openPersistentDevice({ serviceWorkers: 'block' })
  for (const device of [ada, bea, cy]) await recordTraffic(device.context)
  const { onAda } = await gardenWithBea(ada, bea)
  await joinWithName(cy, await createLink(ada.page), 'Cy', 'Written by Bea')
  await onAda.tasks.getByText('Written by Bea', { exact: true }).waitFor(LINKED)
  const members = await openMembers(ada.page)
  await expect(memberNamed(members, 'Cy')).toBeVisible(LINKED)

  // Cy's only page closes: its device holds the space's current secret and nothing after it.
  const spaceUrl = cy.page.url()
  await cy.page.close()
  const removedAt = Date.now()
  await memberNamed(members, 'Bea').getByRole('button', { name: 'Remove' }).click()
  await members.getByRole('button', { name: 'Remove Bea' }).click()
  const adaBefore = await joinedBefore(ada.page, removedAt)
  const freshRooms = async () =>
    (await trafficOf(ada.page)).rooms.filter((room) => !adaBefore.has(room.roomId)).map((room) => room.roomId)
  await expect.poll(async () => (await freshRooms()).length, LINKED).toBeGreaterThan(0)
  await onAda.addTask('After the removal')

  // Cy comes back: it meets Ada in the room it held, learns of the removal, opens the new secret and joins Ada's room.
  const reopenedAt = Date.now()
  const page = await cy.context.newPage()
  await page.goto(spaceUrl)
  const onCy = new SpacePage(page)
  await onCy.tasks.getByText('After the removal', { exact: true }).waitFor(LINKED)
  await expect(onCy.tasks.getByText('Written by Bea', { exact: true })).toBeVisible()
  const onCyMembers = await openMembers(page)
  await expect(memberNamed(onCyMembers, 'Bea')).toHaveCount(0, LINKED)
  const fresh = await freshRooms()
  await expect
    .poll(async () => (await trafficOf(page)).rooms.some((room) => fresh.includes(room.roomId)), LINKED)
    .toBe(true)
  const caughtUpMs = Date.now() - reopenedAt
  test.info().annotations.push({ type: 'reopened -> Cy in the new room (ms)', description: String(caughtUpMs) })
  console.info(`Cy reopened -> in Ada's new room: ${String(caughtUpMs)} ms`)

  // The two still edit live both ways, and Bea sees none of it.
  await onCy.addTask('Cy is back')
  await onAda.tasks.getByText('Cy is back', { exact: true }).waitFor(LINKED)
  await onAda.addTask('Ada answers Cy')
  await onCy.tasks.getByText('Ada answers Cy', { exact: true }).waitFor(LINKED)
  const onBea = new SpacePage(bea.page)
  await expect(bea.page.getByText('You were removed from Garden plans by Ada')).toBeVisible(LINKED)
  for (const task of ['After the removal', 'Cy is back', 'Ada answers Cy'])
    await expect(onBea.tasks.getByText(task, { exact: true })).toHaveCount(0)
})
