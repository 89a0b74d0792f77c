/**
 * Real Chromium pages find each other through the local signal worker with
 * Trystero (no ICE servers, loopback only) and talk over WebRTC: two and five
 * peers, a 1 MiB binary message, departures noticed within seconds, and a
 * worker that is killed and started again.
 */
import { randomUUID } from 'node:crypto'
import type { StaticServer } from '../scripts/static-server.ts'
import { expect, test, type Device } from './fixtures.ts'
import { RelayPeer, RestartableWorker, serveRelayPage } from './relay-harness.ts'

// One worker and one page server for the file; the tests run in order because the last one restarts the worker.
test.describe.configure({ mode: 'default' })

let worker: RestartableWorker
let pageServer: StaticServer

test.beforeAll(async () => {
  ;[worker, pageServer] = await Promise.all([RestartableWorker.start(), serveRelayPage()])
})
test.afterAll(async () => {
  await Promise.all([worker.stop(), pageServer.close()])
})

const joinAll = async (devices: readonly Device[], roomId = randomUUID()): Promise<RelayPeer[]> => {
  const peers = await Promise.all(devices.map((device) => new RelayPeer(device.page).open(`${pageServer.url}/`)))
  await Promise.all(peers.map((peer) => peer.join(worker.relayUrl, roomId)))
  return peers
}

const othersOf = (peers: readonly RelayPeer[], self: RelayPeer): string[] =>
  peers.filter((peer) => peer !== self).map((peer) => peer.id)

const waitForMesh = async (peers: readonly RelayPeer[], timeoutMs?: number): Promise<void> => {
  await Promise.all(peers.map((peer) => peer.waitForPeers(othersOf(peers, peer), timeoutMs)))
}

const at = <T>(items: readonly T[], index: number): T => {
  const item = items[index]
  if (item === undefined) throw new Error(`no item ${index}`)
  return item
}

test('two peers find each other and a 1 MiB binary message arrives intact', async ({ openDevices }) => {
  const peers = await joinAll(await openDevices(2))
  await waitForMesh(peers)
  const [alice, bob] = peers as [RelayPeer, RelayPeer]
  const sent = await alice.sendBlob(1024 * 1024, 0x5eed)
  expect(await bob.waitForBlob(alice.id)).toEqual({ from: alice.id, size: 1024 * 1024, sha256: sent })
})

test('five peers all see each other; one that leaves or closes its page is gone within seconds', async ({
  openDevices,
}) => {
  const devices = await openDevices(5)
  const peers = await joinAll(devices)
  await waitForMesh(peers, 20_000)

  const [leaver, closer, ...stayers] = peers as [RelayPeer, RelayPeer, ...RelayPeer[]]
  await leaver.leave()
  await Promise.all(stayers.map((peer) => peer.waitForPeers([closer.id, ...othersOf(stayers, peer)], 3_000)))

  // Closed without leaving: no goodbye is sent, only the heartbeats stop (Trystero alone would take 10-12 s).
  const closedAt = Date.now()
  await closer.page.close()
  await Promise.all(stayers.map((peer) => peer.waitForPeers(othersOf(stayers, peer), 6_000)))
  test.info().annotations.push({ type: 'closed page noticed after', description: `${Date.now() - closedAt} ms` })
})

test('a page open for over a minute still connects when its own ready offer is the one answered', async ({
  openDevices,
}) => {
  const devices = await openDevices(2)
  // A clock that runs at the real pace, so that a page's time can move a minute on at once (timers untouched).
  await Promise.all(devices.map((device) => device.page.clock.install()))
  const peers = await Promise.all(devices.map((device) => new RelayPeer(device.page).open(`${pageServer.url}/`)))
  const [first, second] = [at(peers, 0), at(peers, 1)]
  // Of two peers offering to each other, the one with the lower id keeps its own offer and the other answers it
  // (Trystero's signal-handler.mjs `handleOffer`): that one is the page whose offers get old.
  const [firstId, secondId] = await Promise.all([first.selfId(), second.selfId()])
  const [old, fresh] = firstId < secondId ? [first, second] : [second, first]
  const roomId = randomUUID()
  // Joining makes the page's 20 ready offers, kept while any room is (the app holds one per space); a minute
  // later Trystero makes each again before it sends it.
  await old.hold(worker.relayUrl, randomUUID())
  await old.join(worker.relayUrl, roomId)
  await old.page.clock.setSystemTime((await old.page.evaluate(() => Date.now())) + 60_000)
  await fresh.join(worker.relayUrl, roomId)
  await waitForMesh([old, fresh])
  const sent = await old.sendBlob(64 * 1024, 7)
  expect(await fresh.waitForBlob(old.id)).toEqual({ from: old.id, size: 64 * 1024, sha256: sent })
})

test('with the worker killed, connected peers keep talking; after its restart a new peer joins', async ({
  openDevices,
  errors,
}) => {
  // The pages' sockets to the stopped worker fail, and Chromium logs that as an error.
  errors.allow(/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/r\/main' failed/)
  const roomId = randomUUID()
  const devices = await openDevices(3)
  const [alice, bob] = (await joinAll(devices.slice(0, 2), roomId)) as [RelayPeer, RelayPeer]
  await waitForMesh([alice, bob])

  await worker.stop()
  await alice.sendText('while the worker is down')
  await bob.waitForText('while the worker is down')

  await worker.restart()
  // Trystero reconnects after a random delay and then subscribes again, but it does not announce again
  // for up to a minute: a peer that joins before the others are back would meet them only then.
  await expect.poll(async () => (await worker.health()).subscriptions, { timeout: 45_000, intervals: [100] }).toBe(2)
  const carol = at(await joinAll([at(devices, 2)], roomId), 0)
  await waitForMesh([alice, bob, carol], 45_000)
  await bob.sendText('after the restart')
  await Promise.all([alice.waitForText('after the restart'), carol.waitForText('after the restart')])
})
