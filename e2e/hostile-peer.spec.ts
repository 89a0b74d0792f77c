/**
 * A scripted hostile peer (issue 13) against real app pages through the local signal worker, over real WebRTC.
 * The hostile page runs the project's own mesh and halo code (`hostile-peer-page.ts`); it holds the personal
 * space's swarm secret, read out of an honest page by a same-origin script, so it reaches the room and speaks
 * first-hand to the honest devices. Each case checks that it is refused or dropped, gets no document byte, that
 * nothing the honest pages store changes, and that an edit still syncs between the two honest devices.
 */
import { expect, test, type Device } from './fixtures.ts'
import {
  HostilePeer,
  lootOf,
  personalSpaceId,
  serveHostilePage,
  stealDevice,
  stealSecrets,
  storedDocuments,
  type Party,
  type PeerRecord,
  type StolenRoom,
} from './hostile-peer.ts'
import { CLOSED_CONNECTION, LINKED, linkedPair, linkFrom, openPersonal } from './linked-devices.ts'
import type { SpacePage } from './pages/space-page.ts'
import type { StaticServer } from '../scripts/static-server.ts'

test.describe.configure({ mode: 'default' })
test.setTimeout(240_000)

let hostileServer: StaticServer
test.beforeAll(async () => {
  hostileServer = await serveHostilePage()
})
test.afterAll(async () => {
  await hostileServer.close()
})

const honestDevice = async (open: (options: { serviceWorkers: 'block' }) => Promise<Device>): Promise<Device> => {
  const device = await open({ serviceWorkers: 'block' })
  await stealSecrets(device.context)
  return device
}

/** A hostile page of its own (its own Trystero id), open on the hostile origin. */
const hostilePage = async (openDevices: (count: number) => Promise<Device[]>): Promise<HostilePeer> => {
  const [device] = await openDevices(1)
  if (device === undefined) throw new Error('no page')
  return new HostilePeer(device.page).open(`${hostileServer.url}/`)
}

/** The room of the personal space at its newest generation, from the secret read out of A. */
const stealRoom = async (hostile: HostilePeer, a: Device, generation = 0): Promise<StolenRoom> => {
  const spaceId = await personalSpaceId(a.page)
  let room: StolenRoom | undefined
  await expect
    .poll(async () => {
      room = await hostile.stealRoom(await lootOf(a.page), spaceId).catch(() => undefined)
      return room?.generation ?? -1
    }, LINKED)
    .toBeGreaterThanOrEqual(generation)
  if (room === undefined) throw new Error('no room')
  return room
}

/** The reject code the honest side sent in a handshake, read from the frames the hostile peer received. */
const rejectOf = (peer: PeerRecord): string | undefined => {
  for (const frame of peer.received) {
    try {
      const parsed = JSON.parse(frame) as { reject?: unknown }
      if (typeof parsed.reject === 'string') return parsed.reject
    } catch {
      // Not JSON: a frame of its own script.
    }
  }
  return undefined
}

/**
 * The handshakes with the two honest devices, once both have ended (Trystero announces again only after 60 s
 * when a first meeting fails, hence the long wait); peers in `others` are other hostile pages.
 */
const metHonest = async (hostile: HostilePeer, others: readonly string[]): Promise<PeerRecord[]> => {
  const honest = (peers: readonly PeerRecord[]): PeerRecord[] =>
    peers.filter((peer) => peer.endedAt !== undefined && !others.includes(peer.peerId))
  await expect.poll(async () => honest((await hostile.report()).peers).length, { timeout: 100_000 }).toBe(2)
  return honest((await hostile.report()).peers)
}

/** An edit on one honest device reaches the other. */
const editSyncs = async (from: SpacePage, to: SpacePage, title: string): Promise<void> => {
  await from.addTask(title)
  await to.tasks.getByText(title, { exact: true }).waitFor(LINKED)
}

const syncedWith = async (device: Device, count: number): Promise<void> => {
  await expect(device.page.getByTestId('sync-status')).toContainText(
    `Up to date with ${String(count)} device${count === 1 ? '' : 's'}`,
    LINKED,
  )
}

test('holding the room secret with a chain to another identity, or a revoked device’s, is refused at the handshake and gets zero document bytes', async ({
  openPersistentDevice,
  openDevices,
  signal,
  errors,
}) => {
  errors.allow(CLOSED_CONNECTION)
  const a = await honestDevice(openPersistentDevice)
  const b = await honestDevice(openPersistentDevice)
  const c = await honestDevice(openPersistentDevice)
  const { spaceB } = await linkedPair(a, b)
  await linkFrom(a, c, 'Tablet')
  // The tablet's key and chain, read out of its own store; then it is revoked (offline: it need not hear of it).
  const revoked = await stealDevice(c.page)
  await c.context.close()
  await a.page.goto('/')
  await a.page.getByText('Devices', { exact: true }).click()
  a.page.once('dialog', (dialog) => void dialog.accept())
  await a.page.getByRole('button', { name: 'Revoke Tablet' }).click()
  await expect(a.page.getByRole('list', { name: 'Devices' }).getByText('revoked')).toBeVisible()

  const foreign = await hostilePage(openDevices)
  // The revocation rotated the room: the thief reads the new generation's secret out of A, and B is there too.
  const room = await stealRoom(foreign, a, 1)
  await stealRoom(foreign, b, 1)
  const spaceA = await openPersonal(a)
  await syncedWith(a, 1)
  await syncedWith(b, 1)
  const before = await Promise.all([storedDocuments(a.page), storedDocuments(b.page)])
  const minted = await foreign.mintParty()
  // Claims A's identity, with a valid chain to an identity of its own.
  const chainToAnother: Party = { ...minted, identity: revoked.identity }
  const thief = await hostilePage(openDevices)
  await Promise.all([
    foreign.join(signal.relayUrl, room, { kind: 'handshake', party: chainToAnother }),
    thief.join(signal.relayUrl, room, { kind: 'handshake', party: revoked }),
  ])
  // The two hostile pages also meet each other: only what the honest devices answered counts.
  const [byForeign, byThief] = await Promise.all([
    metHonest(foreign, [thief.selfId]),
    metHonest(thief, [foreign.selfId]),
  ])
  expect(byForeign.map(rejectOf)).toEqual(['bad-chain', 'bad-chain'])
  expect(byThief.map(rejectOf)).toEqual(['revoked', 'revoked'])
  for (const peer of [...byForeign, ...byThief]) expect(peer.outcome).toBe('refused-by-peer')
  for (const hostile of [foreign, thief]) {
    const report = await hostile.report()
    expect(report.documentBytes).toBe(0)
    test.info().annotations.push({
      type: 'bytes the hostile page received (handshake only)',
      description: String(report.connections.reduce((sum, each) => sum + each.bytesReceived, 0)),
    })
  }

  expect(await Promise.all([storedDocuments(a.page), storedDocuments(b.page)])).toEqual(before)
  await editSyncs(spaceA, spaceB, 'After the hostile peers')
})
