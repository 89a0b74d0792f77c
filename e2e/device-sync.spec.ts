/**
 * Two and three linked profiles over real WebRTC through the local signal worker: revoke cuts a device off,
 * edits made apart converge, a follower tab takes over from a closed leader, and three devices edit live.
 * Shared steps are in `linked-devices.ts`.
 */
import type { BrowserContext, WebSocketRoute } from '@playwright/test'
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
  // The local copy stays readable: B's open space still shows its task, and nothing can be added.
  await expect(new SpacePage(b.page).tasks.getByText('Written on A', { exact: true })).toBeVisible()
  await expect(b.page.getByPlaceholder('Add a task')).toHaveCount(0)

  // A edits afterwards; B reloads and does not get back in: neither counts the other as a live device.
  const spaceA = await openPersonal(a)
  await spaceA.addTask('After the revoke')
  await b.page.reload()
  await expect(b.page.getByTestId('sync-status')).toHaveText('Only on this device', LINKED)
  await expect(a.page.getByTestId('sync-status')).toHaveText('Only on this device', LINKED)
  // After the reload B still says it was removed (not that its identity cannot be opened), and its copy reads.
  await expect(b.page.getByRole('heading', { name: 'This device was removed from your identity' })).toBeVisible()
  await expect(b.page.getByRole('heading', { name: 'Your identity could not be opened' })).toHaveCount(0)
  await expect(b.page.getByPlaceholder('Name of a new space')).toHaveCount(0)
  const spaceB = await openPersonal(b)
  await expect(spaceB.tasks.getByText('After the revoke', { exact: true })).toHaveCount(0)
  await expect(b.page.getByPlaceholder('Add a task')).toHaveCount(0)
})

/**
 * Cuts a profile's pages off the signal relay: Playwright's WebSocket routing passes the relay sockets
 * through while open; `cut` closes the live ones and refuses new ones. The worker itself is shared by the
 * whole suite, so it is cut per profile rather than stopped.
 */
class RelayGate {
  #open = true
  readonly #live = new Set<WebSocketRoute>()
  readonly #relayUrl: string

  constructor(relayUrl: string) {
    this.#relayUrl = relayUrl
  }

  async attach(context: BrowserContext): Promise<void> {
    await context.routeWebSocket(
      (url) => url.href.startsWith(this.#relayUrl),
      (socket) => {
        if (!this.#open) {
          void socket.close()
          return
        }
        socket.connectToServer()
        this.#live.add(socket)
        socket.onClose(() => {
          this.#live.delete(socket)
        })
      },
    )
  }

  async cut(): Promise<void> {
    this.#open = false
    await Promise.all([...this.#live].map((socket) => socket.close()))
  }

  open(): void {
    this.#open = true
  }
}

test('edits made apart on both devices (tasks, order, note text) converge when they meet again', async ({
  openPersistentDevice,
  signal,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  // A fetch B's page makes while it is offline fails, as it should.
  errors.allow(/net::ERR_INTERNET_DISCONNECTED/)
  const gate = new RelayGate(signal.relayUrl)
  const a = await device(openPersistentDevice)
  const b = await device(openPersistentDevice)
  await gate.attach(b.context)
  const { spaceA, spaceB } = await linkedPair(a, b)
  await spaceA.createNote('Seeds', 'Tomatoes')
  await spaceB.notes.getByRole('link', { name: 'Seeds' }).click(LINKED)
  await expect(spaceB.noteText).toHaveText('Tomatoes', LINKED)
  await expect.poll(() => openPeers(b.page), LINKED).toBeGreaterThan(0)

  // What cuts them apart: the relay refuses B (the gate closes B's relay sockets and every new one), B's
  // reload ends its page's WebRTC connections (setOffline would not), and B goes offline, so Trystero waits
  // for 'online' to dial the relay again instead of backing off. A keeps its relay but has no way to B.
  await gate.cut()
  await b.page.reload()
  await expect(spaceB.noteText).toHaveText('Tomatoes')
  await b.context.setOffline(true)
  await expect.poll(() => openPeers(a.page)).toBe(0)
  await expect(b.page.getByTestId('sync-status')).toHaveText('Offline: changes are kept on this device')

  await spaceA.addTask('Apart on A')
  await spaceB.addTask('Apart on B')
  const order = await spaceB.taskTitles()
  await spaceB.taskCheckbox('Apart on B').focus()
  await b.page.keyboard.press('Alt+ArrowUp')
  await expect.poll(() => spaceB.taskTitles()).not.toEqual(order)
  await spaceA.noteText.click()
  await a.page.keyboard.press('End')
  await a.page.keyboard.type(' and basil')
  await spaceB.noteText.click()
  await b.page.keyboard.press('Home')
  await b.page.keyboard.type('Peppers, ')
  expect(await openPeers(a.page)).toBe(0)
  expect(await openPeers(b.page)).toBe(0)

  const back = Date.now()
  gate.open()
  await b.context.setOffline(false)
  await expect(spaceA.noteText).toHaveText('Peppers, Tomatoes and basil', LINKED)
  await expect(spaceB.noteText).toHaveText('Peppers, Tomatoes and basil', LINKED)
  const both = async () => [await spaceA.taskTitles(), await spaceB.taskTitles()]
  await expect.poll(async () => new Set((await both()).map((titles) => titles.join('\n'))).size, LINKED).toBe(1)
  expect(await spaceA.taskTitles()).toEqual(expect.arrayContaining(['Apart on A', 'Apart on B', 'Written on A']))
  console.info(`back online -> converged: ${String(Date.now() - back)} ms`)
  test.info().annotations.push({ type: 'back online -> converged (ms)', description: String(Date.now() - back) })
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
