import { joinRoom, selfId, type DataPayload, type Room } from 'trystero'
import { systemClock, type Clock, type Observable } from '../base'
import { buildRoomConfig, type MeshSettings } from './mesh-config'
import { PresenceTracker } from './presence'

/** A named message channel between the peers of a swarm. */
export interface SwarmChannel<T extends DataPayload> {
  /** To every present peer, or to some. */
  send(data: T, target?: string | readonly string[]): Promise<void>
  /** Calls `listener` for each message; returns the unsubscribe. */
  subscribe(listener: (data: T, peerId: string) => void): () => void
}

/** One room of peers found through the signal relays. */
export interface Swarm {
  readonly selfId: string
  /** Peers present now, by heartbeat (see `PresenceTracker`). */
  readonly peers: Observable<ReadonlySet<string>>
  channel<T extends DataPayload>(name: string): SwarmChannel<T>
  leave(): Promise<void>
}

export interface SwarmOptions {
  /** How often this peer says it is here. */
  readonly heartbeatMs?: number
  /** Silence after which a peer counts as gone; a few heartbeats, so one late beat is not a departure. */
  readonly presenceTimeoutMs?: number
  readonly clock?: Clock
  /** Runs `tick` every `ms` until the returned function is called. */
  readonly every?: (ms: number, tick: () => void) => () => void
  /** Trystero's `joinRoom`; tests pass a fake. */
  readonly join?: typeof joinRoom
}

export const DEFAULT_HEARTBEAT_MS = 1_000
export const DEFAULT_PRESENCE_TIMEOUT_MS = 3_500
/** Trystero reserves names starting with `@_`; ours start with `cp.` so they cannot collide with it. */
const PRESENCE_CHANNEL = 'cp.presence'

const intervalTimer = (ms: number, tick: () => void): (() => void) => {
  const timer = setInterval(tick, ms)
  return () => {
    clearInterval(timer)
  }
}

const targets = (target: string | readonly string[] | undefined): string | string[] | null =>
  target === undefined ? null : typeof target === 'string' ? target : [...target]

/** Joins the room `roomId` with the mesh settings and the room's password. */
export const joinSwarm = (
  settings: MeshSettings,
  room: { readonly roomId: string; readonly password: string },
  options: SwarmOptions = {},
): Swarm => {
  const trystero: Room = (options.join ?? joinRoom)(buildRoomConfig(settings, room), room.roomId)
  const presence = new PresenceTracker({
    clock: options.clock ?? systemClock,
    timeoutMs: options.presenceTimeoutMs ?? DEFAULT_PRESENCE_TIMEOUT_MS,
  })
  trystero.onPeerJoin = (peerId) => {
    presence.heard(peerId)
  }
  trystero.onPeerLeave = (peerId) => {
    presence.left(peerId)
  }

  // Trystero keeps one action per name, so a channel is made once and shared by every caller.
  const channels = new Map<string, SwarmChannel<never>>()
  const makeChannel = <T extends DataPayload>(name: string): SwarmChannel<T> => {
    const listeners = new Set<(data: T, peerId: string) => void>()
    const action = trystero.makeAction<T>(name, {
      onMessage: (data, { peerId }) => {
        presence.heard(peerId)
        for (const listener of [...listeners]) listener(data, peerId)
      },
    })
    return {
      send: (data, target) => action.send(data, { target: targets(target) }),
      subscribe: (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    }
  }
  const channel = <T extends DataPayload>(name: string): SwarmChannel<T> => {
    const known = channels.get(name) as SwarmChannel<T> | undefined
    if (known !== undefined) return known
    const made = makeChannel<T>(name)
    channels.set(name, made as SwarmChannel<never>)
    return made
  }

  const heartbeat = channel<string>(PRESENCE_CHANNEL)
  const stopBeating = (options.every ?? intervalTimer)(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, () => {
    // A peer that vanishes while this is in flight rejects it; noticing such peers is the point of the beat.
    heartbeat.send('here').catch(() => undefined)
    presence.sweep()
  })

  return {
    selfId,
    peers: presence.peers,
    channel,
    leave: async () => {
      stopBeating()
      presence.clear()
      // Trystero rejects when a peer is already gone; the room is left either way.
      await trystero.leave().catch(() => undefined)
    },
  }
}
