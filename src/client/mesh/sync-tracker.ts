import type { Clock } from '../../base'
import type { MeshStatus } from '../../mesh'

type SpaceState = MeshStatus['spaces'][string]

/** How long without a message either way before a connected space counts as up to date. */
export const QUIET_MS = 1_000

interface Connection {
  readonly device: string
  lastActivity: number
}

/**
 * The leader's sync status, from what its rooms see: who is connected in each space and when a message last
 * went or came. A space is `syncing` while messages moved in the last `QUIET_MS`, then `up-to-date`; with no
 * device connected it is `alone` (and keeps when it last synced, with whom); the whole mesh is `offline`
 * without a network.
 */
export class SyncTracker {
  readonly #connections = new Map<string, Map<string, Connection>>()
  readonly #lastSynced = new Map<string, NonNullable<SpaceState['lastSynced']>>()
  readonly #clock: Clock
  readonly #nameOf: (device: string) => string | undefined
  readonly #publish: (status: MeshStatus) => void
  #online: boolean

  constructor(options: {
    clock: Clock
    online: boolean
    nameOf: (device: string) => string | undefined
    publish: (status: MeshStatus) => void
  }) {
    this.#clock = options.clock
    this.#online = options.online
    this.#nameOf = options.nameOf
    this.#publish = options.publish
  }

  /** A space whose room we are in (none connected yet). */
  space(spaceId: string): void {
    if (!this.#connections.has(spaceId)) this.#connections.set(spaceId, new Map())
    this.#emit()
  }

  forget(spaceId: string): void {
    this.#connections.delete(spaceId)
    this.#emit()
  }

  connected(spaceId: string, peerId: string, device: string): void {
    const peers = this.#connections.get(spaceId) ?? new Map<string, Connection>()
    this.#connections.set(spaceId, peers)
    peers.set(peerId, { device, lastActivity: this.#clock.now() })
    this.#emit()
  }

  disconnected(spaceId: string, peerId: string): void {
    if (this.#connections.get(spaceId)?.delete(peerId) === true) this.#emit()
  }

  /** A message went to or came from `peerId` in `spaceId`. */
  activity(spaceId: string, peerId: string): void {
    const connection = this.#connections.get(spaceId)?.get(peerId)
    if (connection === undefined) return
    const quietBefore = this.#clock.now() - connection.lastActivity >= QUIET_MS
    connection.lastActivity = this.#clock.now()
    if (quietBefore) this.#emit()
  }

  online(online: boolean): void {
    this.#online = online
    this.#emit()
  }

  /** Called every so often: spaces whose messages went quiet turn up to date. */
  tick(): void {
    this.#emit()
  }

  status(): MeshStatus {
    const now = this.#clock.now()
    const spaces: Record<string, SpaceState> = {}
    for (const [spaceId, peers] of this.#connections) {
      const busy = [...peers.values()].some((peer) => now - peer.lastActivity < QUIET_MS)
      for (const peer of peers.values()) {
        if (busy) continue
        const name = this.#nameOf(peer.device)
        this.#lastSynced.set(spaceId, {
          at: peer.lastActivity,
          device: peer.device,
          ...(name === undefined ? {} : { name }),
        })
      }
      const devices = [...new Set([...peers.values()].map((peer) => peer.device))]
      const state = !this.#online ? 'offline' : peers.size === 0 ? 'alone' : busy ? 'syncing' : 'up-to-date'
      const lastSynced = this.#lastSynced.get(spaceId)
      spaces[spaceId] = {
        state,
        peers: devices.map((device) => {
          const name = this.#nameOf(device)
          return name === undefined ? { device } : { device, name }
        }),
        ...(lastSynced === undefined ? {} : { lastSynced }),
      }
    }
    const states = Object.values(spaces).map((space) => space.state)
    const overall = !this.#online
      ? 'offline'
      : states.includes('syncing')
        ? 'syncing'
        : states.includes('up-to-date')
          ? 'up-to-date'
          : 'alone'
    const latest = Object.values(spaces)
      .map((space) => space.lastSynced)
      .reduce<SpaceState['lastSynced']>(
        (best, next) => (next !== undefined && (best === undefined || next.at > best.at) ? next : best),
        undefined,
      )
    return { overall, spaces, ...(latest === undefined ? {} : { lastSynced: latest }) }
  }

  #emit(): void {
    this.#publish(this.status())
  }
}
