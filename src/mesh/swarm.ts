import { joinRoom, selfId, type DataPayload, type Room } from 'trystero'
import { systemClock, type Clock, type Observable } from '../base'
import { buildRoomConfig, type MeshSettings } from './mesh-config'
import { PresenceTracker } from './presence'

/** A named message channel between the peers of a swarm. */
interface SwarmChannel<T extends DataPayload> {
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
  /** The same for a peer whose page is hidden: browsers may then run its timers only once a minute. */
  readonly hiddenPresenceTimeoutMs?: number
  /** Whether this page is hidden, and a way to hear when that changes; the document's by default. */
  readonly visibility?: Visibility
  readonly clock?: Clock
  /** Runs `tick` every `ms` until the returned function is called. */
  readonly every?: (ms: number, tick: () => void) => () => void
  /** Trystero's `joinRoom`; tests pass a fake. */
  readonly join?: typeof joinRoom
}

/** Whether the page is hidden, and a way to hear when that changes. */
export interface Visibility {
  isHidden(): boolean
  subscribe(listener: () => void): () => void
}

const DEFAULT_HEARTBEAT_MS = 1_000
const DEFAULT_PRESENCE_TIMEOUT_MS = 3_500
const DEFAULT_HIDDEN_PRESENCE_TIMEOUT_MS = 75_000

const documentVisibility: Visibility = {
  isHidden: () => typeof document !== 'undefined' && document.visibilityState === 'hidden',
  subscribe: (listener) => {
    if (typeof document === 'undefined') return () => undefined
    document.addEventListener('visibilitychange', listener)
    return () => {
      document.removeEventListener('visibilitychange', listener)
    }
  },
}

type Beat = 'here' | 'hidden'
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
  const timeouts: Record<Beat, number> = {
    here: options.presenceTimeoutMs ?? DEFAULT_PRESENCE_TIMEOUT_MS,
    hidden: options.hiddenPresenceTimeoutMs ?? DEFAULT_HIDDEN_PRESENCE_TIMEOUT_MS,
  }
  const presence = new PresenceTracker({ clock: options.clock ?? systemClock, timeoutMs: timeouts.here })
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

  const visibility = options.visibility ?? documentVisibility
  const heartbeat = channel<string>(PRESENCE_CHANNEL)
  heartbeat.subscribe((beat, peerId) => {
    presence.heard(peerId, beat === 'hidden' ? timeouts.hidden : timeouts.here)
  })
  const beat = (): void => {
    const message: Beat = visibility.isHidden() ? 'hidden' : 'here'
    // A peer that vanishes while this is in flight rejects it; noticing such peers is the point of the beat.
    heartbeat.send(message).catch(() => undefined)
  }
  const stopBeating = (options.every ?? intervalTimer)(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, () => {
    beat()
    presence.sweep()
  })
  // A page coming back tells the others at once, so they stop waiting long for it. A page going hidden
  // says so with its next beat: a closing page turns hidden too, and must not ask to be waited for.
  const stopWatching = visibility.subscribe(() => {
    if (!visibility.isHidden()) beat()
  })

  return {
    selfId,
    peers: presence.peers,
    channel,
    leave: async () => {
      stopBeating()
      stopWatching()
      presence.clear()
      // Trystero rejects when a peer is already gone; the room is left either way.
      await trystero.leave().catch(() => undefined)
    },
  }
}
