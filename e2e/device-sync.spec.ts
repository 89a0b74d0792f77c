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
  openPeers,
  openPersonal,
  peersOf,
  recordPeers,
} from './linked-devices.ts'

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
