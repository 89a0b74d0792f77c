/**
 * SECURITY.md R11: the signal worker killed mid-session, at app level. Two linked devices keep syncing over the
 * connection they hold, Settings says the relay is not reachable, and once it is back a third device links and
 * syncs with them while their pages stay as they were (no reload).
 */
import { expect, test, type Device } from './fixtures.ts'
import { RelayPipe } from './hostile-relay.ts'
import { CLOSED_CONNECTION, LINKED, linkedPair, recordPeers, requestLink } from './linked-devices.ts'
import { SpacePage } from './pages/space-page.ts'
import { RestartableWorker } from './relay-harness.ts'
import { relayWords } from './relay-status.ts'

test.setTimeout(180_000)

declare global {
  interface Window {
    /** Set by the spec on a page it must not see reloaded. */
    e2eSamePage?: true
  }
}

const device = async (open: (options: { serviceWorkers: 'block' }) => Promise<Device>): Promise<Device> => {
  const opened = await open({ serviceWorkers: 'block' })
  await recordPeers(opened.context)
  return opened
}

let worker: RestartableWorker | undefined
test.afterEach(async () => {
  await worker?.stop()
})

test('with the relay killed, linked devices keep syncing and Settings says it is not reachable; once it is back a new device links without a reload', async ({
  openPersistentDevice,
  signal,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const relay = await RestartableWorker.start()
  worker = relay
  // The app may only dial its build's relay URL: these pages reach a worker of this test's own through a pipe.
  const pipe = new RelayPipe(signal.relayUrl, relay.relayUrl)
  const a = await device(openPersistentDevice)
  const b = await device(openPersistentDevice)
  const c = await device(openPersistentDevice)
  for (const each of [a, b, c]) await pipe.attach(each.context)
  const { spaceA, spaceB } = await linkedPair(a, b)
  await expect(a.page.getByTestId('sync-status')).toHaveText('Up to date with 1 device', LINKED)
  const settings = await a.context.newPage()
  await settings.goto('/#/settings')
  await expect(relayWords(settings, signal.relayUrl)).toHaveText('Connected', LINKED)
  await a.page.evaluate(() => {
    window.e2eSamePage = true
  })
  await b.page.evaluate(() => {
    window.e2eSamePage = true
  })

  await relay.stop()
  await expect(relayWords(settings, signal.relayUrl)).toHaveText('Not reachable', LINKED)
  await spaceA.addTask('While the relay is down, from A')
  await spaceB.tasks.getByText('While the relay is down, from A', { exact: true }).waitFor(LINKED)
  await spaceB.addTask('While the relay is down, from B')
  await spaceA.tasks.getByText('While the relay is down, from B', { exact: true }).waitFor(LINKED)
  await expect(relayWords(settings, signal.relayUrl)).toHaveText('Not reachable')

  await relay.restart()
  await expect(relayWords(settings, signal.relayUrl)).toHaveText('Connected', LINKED)
  // A offers a link from the page it had all along (inside the app: a navigation to '/' would reload it).
  await a.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click()
  await a.page.getByRole('button', { name: 'Link a device' }).click()
  await c.page.goto((await a.page.getByTestId('link-url').textContent()) ?? '')
  await requestLink(a, c, 'Laptop')
  await a.page.getByRole('button', { name: 'Allow' }).click()
  await c.page.getByRole('link', { name: /Personal/ }).click(LINKED)
  const spaceC = new SpacePage(c.page)
  await spaceC.tasks.getByText('While the relay is down, from B', { exact: true }).waitFor(LINKED)
  // C meets A at once; B, which met C's announces only if its own redial was done by then, may wait for the next
  // announce (src/mesh/CONTEXT.md, Rejoin), so B hears C through A.
  await expect(c.page.getByTestId('sync-status')).toHaveText(/^Up to date with [12] devices?$/, LINKED)
  await spaceC.addTask('From the new device')
  await spaceB.tasks.getByText('From the new device', { exact: true }).waitFor(LINKED)
  expect(await a.page.evaluate(() => window.e2eSamePage)).toBe(true)
  expect(await b.page.evaluate(() => window.e2eSamePage)).toBe(true)
})
