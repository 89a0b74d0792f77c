/**
 * A device whose page goes without a word leaves no ghost on the other (SECURITY.md R15). A page that reloads in
 * Chromium usually closes its connections as it goes (the other side knew within 68 ms in one run); one that cannot
 * (its renderer killed, as here; a phone that drops the tab) leaves its connection open on the other device until
 * WebRTC and Trystero notice: 15.7-17.4 s after the kill in three runs before the fix. Until then that device's Repo keeps
 * the old page's Repo as a peer and sends it every change into a dead connection. The sync status does not show it
 * (both pages of a device share the storage id that heads are kept under), so this reads the e2e record of A's
 * WebRTC connections. The page opened again has a new Trystero id and repo id but the same device key, and its
 * connection supersedes the old one (`src/mesh/swarm.ts`).
 */
import type { Page } from '@playwright/test'
import { expect, test, type Device } from './fixtures.ts'
import { CLOSED_CONNECTION, LINKED, linkedPair, peersOf, recordPeers } from './linked-devices.ts'
import { SpacePage } from './pages/space-page.ts'

test.setTimeout(120_000)

const device = async (open: (options: { serviceWorkers: 'block' }) => Promise<Device>): Promise<Device> => {
  const opened = await open({ serviceWorkers: 'block' })
  await recordPeers(opened.context)
  return opened
}

/** A's status after its edit: the edit is across within this. */
const NO_GHOST_MS = 4_000
/**
 * The old connection closes when A admits the new page, which comes before the new page can read "Up to date"
 * (`metAt`, seen by polling, so later still); this much later is allowed. Before the fix it closed 11-13 s after `metAt`.
 */
const NO_GHOST_SLACK_MS = 1_000

/** A's connections that are open now, by place in A's record (it only grows). */
const openOn = async (page: Page): Promise<number[]> =>
  (await peersOf(page)).flatMap((peer, at) =>
    peer.connectedAt !== undefined && peer.closedAt === undefined ? [at] : [],
  )

/**
 * B's page goes (`how`), B's app is open again (`back` gives its page), and it is up to date with A; A edits, the
 * edit is across, and A's connections to B's old page are closed by the time B's new page was up to date.
 */
const comesBack = async (a: Device, spaceA: SpacePage, how: string, goes: () => Promise<Page>): Promise<Page> => {
  const held = await openOn(a.page)
  expect(held.length).toBeGreaterThan(0)
  const closedAt = async (): Promise<number> => {
    const now = await peersOf(a.page)
    return Math.max(...held.map((at) => now[at]?.closedAt ?? Infinity))
  }
  const goneAt = Date.now()
  const page = await goes()
  const spaceB = new SpacePage(page)
  await spaceB.tasks.getByText('Written on A', { exact: true }).waitFor(LINKED)
  await expect(page.getByTestId('sync-status')).toHaveText('Up to date with 1 device', LINKED)
  const metAt = Date.now()

  // An edit on A right after the new page met it: it reaches B, and A counts it as across within seconds.
  const title = `After B's ${how}`
  await spaceA.addTask(title)
  await spaceB.tasks.getByText(title, { exact: true }).waitFor(LINKED)
  await expect(a.page.getByTestId('sync-status')).toHaveText('Up to date with 1 device', { timeout: NO_GHOST_MS })
  const upToDateMs = Date.now() - metAt
  await expect.poll(async () => (await closedAt()) < Infinity, LINKED).toBe(true)
  const closed = await closedAt()
  console.info(
    `B's ${how} -> new page met A: ${String(metAt - goneAt)} ms; A up to date after its edit: ${String(upToDateMs)} ms later; B's old connection on A closed ${String(closed - goneAt)} ms after the ${how}`,
  )
  test
    .info()
    .annotations.push(
      { type: `${how} -> new page met A (ms)`, description: String(metAt - goneAt) },
      { type: `${how}: met -> A up to date after an edit (ms)`, description: String(upToDateMs) },
      { type: `${how} -> old connection closed on A (ms)`, description: String(closed - goneAt) },
    )
  expect(closed - metAt).toBeLessThan(NO_GHOST_SLACK_MS)
  return page
}

test('a device that reloads, or whose page is killed and opened again, leaves no ghost connection on the other', async ({
  openPersistentDevice,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const a = await device(openPersistentDevice)
  const b = await device(openPersistentDevice)
  const { spaceA } = await linkedPair(a, b)
  await expect(a.page.getByTestId('sync-status')).toHaveText('Up to date with 1 device', LINKED)
  await expect(b.page.getByTestId('sync-status')).toHaveText('Up to date with 1 device', LINKED)

  // A reload: the page may say goodbye as it goes, or not.
  const reloaded = await comesBack(a, spaceA, 'reload', async () => {
    await b.page.reload()
    return b.page
  })
  // A killed renderer: nothing of the page runs to say goodbye. Then B opens the app again.
  await comesBack(a, spaceA, 'kill', async () => {
    const url = reloaded.url()
    const crashed = reloaded.waitForEvent('crash')
    void (await b.context.newCDPSession(reloaded)).send('Page.crash').catch(() => undefined)
    await crashed
    const reopened = await b.context.newPage()
    await reopened.goto(url)
    return reopened
  })
})
