import { joinRoom, selfId, type DataPayload, type JoinRoomCallbacks, type MessageAction, type Room } from 'trystero'
import {
  AppError,
  Cell,
  keepNewest,
  noTrace,
  shortId,
  systemClock,
  type Clock,
  type Observable,
  type Result,
  type Trace,
} from '../base'
import type { RefusalCode } from './handshake/refusal'
import { HandshakeRefusal } from './handshake/refusal'
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, sendRefusal, type AuthenticatedPeer } from './handshake/run-handshake'
import { bindConnections } from './swarm-binding'
import { PEER_RATE_LIMIT, PeerRate, type RateLimit } from './peer-rate'
import { trustConnection } from './pending-cap'
import { ANY_ROOM, heardFrom, roomToken } from './heard-rooms'
import { handshakeEnded, handshakeTag, sendingAs, type HandshakeEnd } from './refused-close'
import { registerChannel, watchChannels } from './action-types'
import { MetDigests, MissedMeetings, readMetList } from './missed-meetings'
import { buildRoomConfig, type MeshSettings } from './mesh-config'
import { PresenceTracker } from './presence'
import { SILENT_CLOSE_MS, SilentPeers } from './silent-peers'
import { trysteroRelaySockets, type RelaySockets } from './relay-watch'

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
  /** With a handshake: the peers that passed it and are connected now. */
  readonly authenticated: Observable<ReadonlyMap<string, AuthenticatedPeer>>
  /** With a handshake: channel frames dropped over the rate limit, and peers cut off for flooding. */
  readonly rate: Observable<SwarmRateStats>
  channel<T extends DataPayload>(name: string): SwarmChannel<T>
  /** Closes the connection to `peerId` (e.g. a device just revoked); it must pass the handshake again. */
  closePeer(peerId: string): void
  /** Calls `listener` for each refused handshake, ours or the remote's; returns the unsubscribe. */
  onRefused(listener: (refusal: SwarmRefusal) => void): () => void
  leave(): Promise<void>
}

/** A refused handshake: our code, or 'join-error' when Trystero failed the peer itself (its password check). */
export interface SwarmRefusal {
  readonly peerId: string
  readonly code: RefusalCode | 'join-error'
  /** For 'refused-by-peer', the remote's code. */
  readonly remoteCode?: string
  /** For 'refused-by-peer', what the remote sent as evidence (e.g. DeviceRevoked credentials): unverified. */
  readonly evidence?: unknown
  /** The connection the peer was admitted over was still open and is closed now, so both ends start over. */
  readonly restarted?: true
  /** For 'join-error', what Trystero said (a password that does not decrypt, no connection after the SDP, a timeout). */
  readonly detail?: string
}

interface SwarmRateStats {
  readonly dropped: number
  readonly cut: number
}

/** Trystero's handshake arguments, for `runHandshake`. */
export type SwarmHandshake = (
  peerId: string,
  send: (data: string) => Promise<void>,
  receive: () => Promise<{ readonly data: unknown }>,
  isInitiator: boolean,
) => Promise<Result<AuthenticatedPeer, HandshakeRefusal>>

export interface SwarmOptions {
  /** 'commonplace/1' for space rooms (the default), 'commonplace/1/join' for link rooms. */
  readonly appId?: string
  /** Run for every peer before it joins; only peers it passes are present, authenticated or heard. */
  readonly handshake?: SwarmHandshake
  /** Covers Trystero's password check and ours; 15 s by default. */
  readonly handshakeTimeoutMs?: number
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
  /** Trystero's page: its `selfId` (one per page, shared by every room) and `joinRoom`; tests pass a fake page. */
  readonly page?: TrysteroPage
  /** Runs `run` once after `ms` unless the returned function is called first (the rejoin backoff). */
  readonly after?: (ms: number, run: () => void) => () => void
  /** Hears when the browser comes back online (the window's 'online' event by default): a lonely room rejoins then. */
  readonly online?: OnlineSignal
  /** Waits before each rejoin while no peer is here; the last one repeats. Each is spread by `REJOIN_JITTER`. */
  readonly rejoinDelaysMs?: readonly number[]
  /**
   * Whether the room, with no peer here, waits for others to come instead of rejoining: a room kept below a space's
   * current generation, where a member catching up rejoins its own current room and its announces reach us. Asked
   * at each rejoin it would schedule; a rejoin already scheduled still runs.
   */
  readonly waitsWhileLonely?: () => boolean
  /** A number in [0, 1) that spreads each rejoin delay (`Math.random` by default; tests pass a fixed one). */
  readonly random?: () => number
  /** Channel frames an authenticated peer may send (`PEER_RATE_LIMIT` by default); beyond, dropped, then cut off. */
  readonly rateLimit?: RateLimit
  /**
   * Tests only: admit a peer whose connection cannot be bound to its handshake (a handshake stub not made by
   * `runHandshake`, or a fake connection without `a=fingerprint` lines) instead of refusing it `wrong-connection`.
   * No production caller sets it: there a connection is bound or refused.
   */
  readonly admitUnboundTestPeers?: true
  /**
   * Lifts the pending cap off a peer's connection once the peer is admitted (`trustConnection` by default; tests
   * pass a spy, as the fake connections have no data channels).
   */
  readonly trust?: (connection: object | undefined) => void
  /**
   * When a connection's remote last sent a frame for a room token (`heardFrom` by default, on the `clock`'s scale;
   * tests pass one, as fake connections carry no frames). See `outOfStep`.
   */
  readonly heard?: (connection: object, token: string) => number | undefined
  /** Where the room tells its rare events (a silent peer's connection closed). */
  readonly trace?: Trace
}

/** A way to hear that the network came back. */
interface OnlineSignal {
  subscribe(listener: () => void): () => void
}

/** What Trystero is per page: one selfId for all its rooms, and the way to join one. */
export interface TrysteroPage {
  readonly selfId: string
  readonly join: typeof joinRoom
  /** Its relay sockets, for the relay status (`watchRelays`); fakes without relays leave it out. */
  readonly relaySockets?: RelaySockets
}

/** The real Trystero of this page. */
export const trysteroPage: TrysteroPage = { selfId, join: joinRoom, relaySockets: trysteroRelaySockets }

/** Whether the page is hidden, and a way to hear when that changes. */
export interface Visibility {
  isHidden(): boolean
  subscribe(listener: () => void): () => void
}

const DEFAULT_HEARTBEAT_MS = 1_000
const DEFAULT_PRESENCE_TIMEOUT_MS = 3_500
const DEFAULT_HIDDEN_PRESENCE_TIMEOUT_MS = 75_000
/** Heartbeats' worth of delay after which this page's own beat counts as late (see `closeSilent`). */
const LATE_BEATS = 5

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

const windowOnline: OnlineSignal = {
  subscribe: (listener) => {
    if (typeof window === 'undefined') return () => undefined
    window.addEventListener('online', listener)
    return () => {
      window.removeEventListener('online', listener)
    }
  },
}

/**
 * Trystero announces a room at 233, 533 and 1,333 ms after joining, then every 60 s: a first meeting that failed
 * (a handshake timed out, crossed offers, a relay down) would wait a minute. A lonely room rejoins sooner.
 */
const DEFAULT_REJOIN_DELAYS_MS: readonly number[] = [4_000, 8_000, 16_000, 32_000, 60_000]
/**
 * Each rejoin waits its delay times a factor drawn in [0.75, 1.25): two peers that went lonely together (a
 * connection between them closed) otherwise rejoined in lockstep, left and joined at the same instants, and
 * missed each other again at every step; at 4 s they now rejoin up to 2 s apart.
 */
const REJOIN_JITTER = 0.25

/**
 * A device cut off for flooding is refused at its next handshakes for this long: each new connection would
 * otherwise come with a full bucket.
 */
const FLOOD_BAN_MS = 60_000

const oneShotTimer = (ms: number, run: () => void): (() => void) => {
  const timer = setTimeout(run, ms)
  return () => {
    clearTimeout(timer)
  }
}

type Beat = 'here' | 'hidden'
/** Trystero reserves names starting with `@_`; ours start with `cp.` so they cannot collide with it. */
const PRESENCE_CHANNEL = 'cp.presence'
/** Each peer's list of the peers it joined, sent to all of them whenever it changes (see `MissedMeetings`). */
const MET_CHANNEL = 'cp.met'
/**
 * Link rooms (device links, invitations) list nobody on `cp.met` and act on no list (review 15, J2, J8): their
 * peers refuse each other by design (two guests, two hosts), a list would tell a guest the other guests' page ids,
 * and a link is one host and its guests, whom Trystero's announce and the lonely rejoin already bring together.
 */
const LINK_APP_ID = 'commonplace/1/join'
/**
 * Refusals that will not change on a new meeting soon: such a peer is not missed (review 15, J2). Not among them:
 * the codes a meeting fed stale frames ends with (`bad-hello`, `bad-proof`, `bad-signature`, Trystero's
 * 'join-error'), which are what the missed-meeting rejoin heals, nor `timeout`, `disconnected`, `leaving`.
 */
const FINAL_REFUSALS: ReadonlySet<string> = new Set([
  'wrong-role',
  'not-invited',
  'not-member',
  'revoked',
  'flooding',
  'wrong-connection',
])

/** Refusals that say nothing of the peer nor of the room: one side left, or the connection went. */
const VOID_REFUSALS: ReadonlySet<string> = new Set(['leaving', 'disconnected'])

/**
 * A handshake that failed for a reason other than who the peer is (Trystero's password step or its timeout, our
 * checks fed frames of another handshake) can mean the two ends of a shared connection disagree about a room, which
 * Trystero never heals: one side still holds the peer as joined there and ignores the other's new handshake, which
 * failed its side alone (a timeout just after the other passed, under load), and which Trystero binds to the room
 * again at every announce, each time to fail; or frames a room got while unbound to the connection
 * (`pendingDataByToken`) are read by its next handshake, which fails and leaves its own frames for the one after (CI:
 * a reloaded phone and its laptop, 20 failures in 80 s in their personal room while they met in a space's). Only the
 * connection closing ends it. So when such failures come twice in a row with a peer in a room, a room of this page
 * admitted that peer over a connection still open, and the peer sent a frame of this room over it within a handshake
 * timeout (it is here: a relay or password holder can announce any page id in any room, but only the peer sends on
 * its connection), that connection is closed, at most once a minute per peer, and both ends meet again over a new
 * one in every room, as after a reload.
 */
const outOfStep = (refusal: SwarmRefusal): boolean =>
  !FINAL_REFUSALS.has(refusal.code) &&
  !FINAL_REFUSALS.has(refusal.remoteCode ?? '') &&
  !VOID_REFUSALS.has(refusal.code) &&
  !VOID_REFUSALS.has(refusal.remoteCode ?? '')

/** Peers a page keeps track of for `outOfStep`: far more than its rooms' peers. */
const PAGE_PEERS_KEPT = 256
/** Out-of-step failures in a row with one peer in one room that close its connection: one may be load, or stale. */
const OUT_OF_STEP_FAILURES = 2
/** A page closes one peer's connection as out of step at most this often: a new one that fails as well waits. */
const OUT_OF_STEP_EVERY_MS = 60_000

/**
 * What a Trystero page knows of its peers for `outOfStep`, by app id and peer id (Trystero shares one connection
 * per peer among a page's rooms of one app id, so a room may fail a handshake over a connection another admitted):
 * each peer's connection when a room of the page last admitted it, and when the page last closed one as out of step.
 */
interface PagePeers {
  readonly admitted: Map<string, RTCPeerConnection>
  readonly closedAt: Map<string, number>
}
const pagePeers = new WeakMap<TrysteroPage, PagePeers>()
const pagePeersOf = (page: TrysteroPage): PagePeers => {
  const known = pagePeers.get(page)
  if (known !== undefined) return known
  const made: PagePeers = { admitted: new Map(), closedAt: new Map() }
  pagePeers.set(page, made)
  return made
}

/** A handshake cut by a room being left (either side) or by its connection going says nothing of the peer. */
const endOf = (refusal: HandshakeRefusal): HandshakeEnd =>
  refusal.code === 'disconnected' || refusal.code === 'leaving' || refusal.remoteCode === 'leaving' ? 'void' : 'refused'

const intervalTimer = (ms: number, tick: () => void): (() => void) => {
  const timer = setInterval(tick, ms)
  return () => {
    clearInterval(timer)
  }
}

const targets = (target: string | readonly string[] | undefined): string | string[] | null =>
  target === undefined ? null : typeof target === 'string' ? target : [...target]

/** A send to a peer that left the room (Trystero no longer has it): nothing was sent to it. */
class PeerGone extends AppError<'peer-gone'> {
  constructor(peerId: string) {
    super('peer-gone', `peer ${peerId} is no longer in the room`)
  }
}

/** Joins the room `roomId` with the mesh settings and the room's password. */
export const joinSwarm = (
  settings: MeshSettings,
  room: { readonly roomId: string; readonly password: string },
  options: SwarmOptions = {},
): Swarm => {
  const refusedListeners = new Set<(refusal: SwarmRefusal) => void>()
  // Out-of-step failures in a row per peer in this room, counted only for a peer admitted over a live connection.
  const outOfStepFailures = new Map<string, number>()
  const restartIfOutOfStep = (refusal: SwarmRefusal): boolean => {
    if (left || !outOfStep(refusal)) return false
    const key = `${config.appId}\0${refusal.peerId}`
    const peers = pagePeersOf(page)
    const connection = peers.admitted.get(key)
    // Trystero dropped it meanwhile: a new connection is being made, or was.
    if (
      connection === undefined ||
      connection.connectionState === 'closed' ||
      connection.connectionState === 'failed'
    ) {
      return false
    }
    // Only the remote sends on its connection: a frame of this room from it says it is here with us. Without one, a
    // relay or a password holder announcing its page id in a room it is not in would have us close its connection.
    const now = clock.now()
    const heardAt = token === undefined ? undefined : heard(connection, token)
    if (heardAt === undefined || now - heardAt > handshakeTimeoutMs) return false
    const failures = (outOfStepFailures.get(refusal.peerId) ?? 0) + 1
    keepNewest(outOfStepFailures, refusal.peerId, failures, PAGE_PEERS_KEPT)
    if (failures < OUT_OF_STEP_FAILURES) return false
    if (now - (peers.closedAt.get(key) ?? Number.NEGATIVE_INFINITY) < OUT_OF_STEP_EVERY_MS) return false
    outOfStepFailures.delete(refusal.peerId)
    peers.admitted.delete(key)
    keepNewest(peers.closedAt, key, now, PAGE_PEERS_KEPT)
    connection.close()
    return true
  }
  const refuse = (refusal: SwarmRefusal): void => {
    // A link room acts on no list, so it keeps no refusal either (review 16, K5).
    if (watchMeetings && (FINAL_REFUSALS.has(refusal.code) || FINAL_REFUSALS.has(refusal.remoteCode ?? ''))) {
      void digests.ensure(refusal.peerId).then((digest) => {
        missed.refused(digest, clock.now())
        checkMeetings()
      })
    }
    const told = restartIfOutOfStep(refusal) ? { ...refusal, restarted: true as const } : refusal
    for (const listener of [...refusedListeners]) listener(told)
  }
  // Peers whose handshake passed but that Trystero has not activated yet, then the active ones.
  const passed = new Map<string, AuthenticatedPeer>()
  const authenticated = new Cell<ReadonlyMap<string, AuthenticatedPeer>>(new Map())
  const setAuthenticated = (change: (peers: Map<string, AuthenticatedPeer>) => void): void => {
    const next = new Map(authenticated.get())
    change(next)
    authenticated.set(next)
  }
  const handshake = options.handshake
  const reported = new Set<string>()
  const clock = options.clock ?? systemClock
  const trace = options.trace ?? noTrace
  const rate = new PeerRate(options.rateLimit ?? PEER_RATE_LIMIT, clock)
  const rateStats = new Cell<SwarmRateStats>({ dropped: 0, cut: 0 })
  // Devices cut off for flooding, until when their handshakes are refused.
  const banned = new Map<string, number>()
  const isBanned = (device: string): boolean => {
    const until = banned.get(device)
    if (until !== undefined && until <= clock.now()) banned.delete(device)
    return until !== undefined && until > clock.now()
  }
  const config = {
    ...buildRoomConfig(settings, room),
    ...(options.appId === undefined ? {} : { appId: options.appId }),
  }
  const page = options.page ?? trysteroPage
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS
  const heard = options.heard ?? heardFrom
  // This room's token on a shared connection, for `heard`; a failure before it is known closes nothing.
  let token: string | undefined
  void roomToken(config.appId, room.roomId).then((value) => {
    token = value
  })
  const admitUnbound = options.admitUnboundTestPeers === true
  const trust = options.trust ?? trustConnection
  const watchMeetings = config.appId !== LINK_APP_ID
  // Rooms whose leave() runs. Trystero still lets peers in for the ~100 ms it takes, but never tells them it
  // left: such a peer would count this page as present until one of them reloads, and ignore its next join.
  const leaving = new WeakSet<Room>()
  const callbacksFor = (self: () => Room | undefined): JoinRoomCallbacks =>
    handshake === undefined
      ? {}
      : {
          handshakeTimeoutMs,
          onPeerHandshake: async (peerId, send, receive, isInitiator) => {
            const current = self()
            if (current !== undefined && leaving.has(current)) {
              reported.add(peerId)
              await sendRefusal(send, 'leaving')
              throw new HandshakeRefusal('leaving')
            }
            passed.delete(peerId)
            rate.forget(peerId)
            // Trystero replaces a connection under the same id without onPeerLeave: the old proof is void.
            if (authenticated.get().has(peerId)) setAuthenticated((peers) => peers.delete(peerId))
            meeting.add(peerId)
            void digests.ensure(peerId)
            // Tells the connection what became of this handshake (refused-close.ts): a refused peer's goes at once.
            const tag = handshakeTag()
            const outcome = await handshake(peerId, (data) => sendingAs(tag, () => send(data)), receive, isInitiator)
            if (outcome.ok && isBanned(outcome.value.device)) {
              reported.add(peerId)
              handshakeEnded(tag, 'refused')
              refuse({ peerId, code: 'flooding' })
              throw new HandshakeRefusal('flooding')
            }
            if (!outcome.ok) {
              endMeeting(peerId)
              reported.add(peerId)
              handshakeEnded(tag, endOf(outcome.error))
              const { code, remoteCode, evidence } = outcome.error
              refuse({
                peerId,
                code,
                ...(remoteCode === undefined ? {} : { remoteCode }),
                ...(evidence === undefined ? {} : { evidence }),
              })
              // Trystero refuses the peer when the predicate throws.
              throw outcome.error
            }
            handshakeEnded(tag, 'passed')
            passed.set(peerId, outcome.value)
          },
          onJoinError: ({ peerId, error }) => {
            endMeeting(peerId)
            // Our own refusals were reported above; anything else is Trystero's (password check, its timeout).
            if (!reported.delete(peerId)) refuse({ peerId, code: 'join-error', detail: error })
          },
        }
  const admitted = (peerId: string): boolean => handshake === undefined || authenticated.get().has(peerId)
  const timeouts: Record<Beat, number> = {
    here: options.presenceTimeoutMs ?? DEFAULT_PRESENCE_TIMEOUT_MS,
    hidden: options.hiddenPresenceTimeoutMs ?? DEFAULT_HIDDEN_PRESENCE_TIMEOUT_MS,
  }
  const presence = new PresenceTracker({ clock, timeoutMs: timeouts.here })
  const silent = new SilentPeers(clock)
  const hear = (peerId: string, askedMs?: number): void => {
    presence.heard(peerId, askedMs)
    silent.heard(peerId, askedMs)
  }
  // Peers Trystero joined (and, with a handshake, that passed it) in the current room: none means lonely.
  const joined = new Set<string>()
  // Peers in a handshake with us, or past it and not yet admitted: not missed, whatever our peers say.
  const meeting = new Set<string>()
  const missed = new MissedMeetings()
  const digests = new MetDigests(room.roomId)
  void digests.ensure(page.selfId)
  // Each channel's action on the current room, rebound on every rejoin so callers keep their channels.
  const binders = new Map<string, (room: Room) => void>()
  // The room being joined now, known before `trystero` is: Trystero replays a cached room's peers to
  // `onPeerJoin` while `open` sets it (a room joined again before its leave finished, ~99 ms), and reading
  // `trystero` there threw; those peers belong to the room being left, so they are ignored.
  const current: { room?: Room } = {}
  const open = (): Room => {
    const joining: { room?: Room } = {}
    const made: Room = page.join(
      config,
      room.roomId,
      callbacksFor(() => joining.room),
    )
    joining.room = made
    // A device runs one page in the mesh at a time (its leader tab): its new connection, proven by its key, is that
    // device come back (a reload, a crash), and an older one leads to a page that is gone. Trystero notices 15-17 s
    // later, and meanwhile the adapter kept the old page's Repo as a peer (SECURITY.md R15).
    const admit = (peerId: string, peer?: AuthenticatedPeer): void => {
      if (made !== current.room) return
      // A handshake that began before this room's leave and ended during it: Trystero never reports such a peer
      // leaving, so admitted it would stay a ghost our sends go to and vanish (a linked phone waited for good).
      if (leaving.has(made)) {
        made.getPeers()[peerId]?.close()
        return
      }
      const superseded =
        peer === undefined
          ? []
          : [...authenticated.get()].flatMap(([id, old]) => (id !== peerId && old.device === peer.device ? [id] : []))
      if (peer !== undefined) {
        setAuthenticated((peers) => {
          for (const id of superseded) peers.delete(id)
          peers.set(peerId, peer)
        })
      }
      joined.add(peerId)
      meeting.delete(peerId)
      // Its connection is no longer a pending peer's: the cap on what it may send (pending-cap.ts) is lifted now,
      // once the binding admitted it, not when Trystero activated it (review 15, J7).
      if (peer !== undefined) {
        const connection = made.getPeers()[peerId]
        trust(connection)
        if (connection !== undefined)
          keepNewest(pagePeersOf(page).admitted, `${config.appId}\0${peerId}`, connection, PAGE_PEERS_KEPT)
        outOfStepFailures.delete(peerId)
      }
      // A missed meeting made up: the next one missed starts the backoff from the start.
      void digests.ensure(peerId).then((digest) => {
        missed.met(digest)
      })
      hear(peerId)
      stopRejoining()
      for (const id of superseded) {
        joined.delete(id)
        presence.left(id)
        made.getPeers()[id]?.close()
      }
      joinedChanged()
    }
    // With a handshake, a peer is admitted once its connection is bound to it (see swarm-binding.ts).
    const binding = bindConnections(
      made,
      {
        passed: (peerId) => passed.get(peerId),
        admit,
        refuse: (peerId) => {
          if (made !== current.room || left) return
          endMeeting(peerId)
          refuse({ peerId, code: 'wrong-connection' })
          made.getPeers()[peerId]?.close()
        },
      },
      { admitUnbound },
    )
    made.onPeerJoin = (peerId) => {
      if (made !== current.room) return
      if (handshake === undefined) {
        admit(peerId)
        return
      }
      const peer = passed.get(peerId)
      // Trystero activates only peers whose predicate resolved; anything else is not let in.
      if (peer === undefined) return
      passed.delete(peerId)
      binding.joined(peerId, peer)
    }
    made.onPeerLeave = (peerId) => {
      if (made !== current.room) return
      binding.left(peerId)
      passed.delete(peerId)
      rate.forget(peerId)
      if (authenticated.get().has(peerId)) setAuthenticated((peers) => peers.delete(peerId))
      presence.left(peerId)
      missed.forget(peerId)
      meeting.delete(peerId)
      const was = joined.delete(peerId)
      if (was && joined.size === 0) scheduleRejoin(0)
      if (was) joinedChanged()
      else checkMeetings()
    }
    for (const bind of binders.values()) bind(made)
    current.room = made
    return made
  }

  let left = false
  let rejoining = false
  let cancelRejoin = (): void => undefined
  const after = options.after ?? oneShotTimer
  const delays = options.rejoinDelaysMs ?? DEFAULT_REJOIN_DELAYS_MS
  const random = options.random ?? Math.random
  const stopRejoining = (): void => {
    cancelRejoin()
    cancelRejoin = () => undefined
  }
  const scheduleRejoin = (attempt: number): void => {
    stopRejoining()
    if (left || joined.size > 0 || delays.length === 0 || options.waitsWhileLonely?.() === true) return
    const base = delays[Math.min(attempt, delays.length - 1)] ?? 0
    const delay = Math.round(base * (1 + REJOIN_JITTER * (2 * random() - 1)))
    cancelRejoin = after(delay, () => {
      cancelRejoin = () => undefined
      void rejoin().then(() => {
        scheduleRejoin(attempt + 1)
      })
    })
  }
  // Trystero caches a room per (appId, roomId) until its leave finishes, so the new one is joined only after.
  // `forget`: leave our peers too (a missed meeting, seeking `seek`); Trystero's leave does not call onPeerLeave for
  // them.
  const rejoin = async (forget = false, seek: readonly string[] = []): Promise<void> => {
    // Its callers (the backoff timer, the online signal) are stopped by leave(), which may come during the await.
    if (rejoining || (joined.size > 0 && !forget)) return
    rejoining = true
    missed.rejoining(seek, clock.now())
    if (forget) {
      joined.clear()
      meeting.clear()
      missed.clear()
      presence.clear()
      authenticated.set(new Map())
    }
    leaving.add(trystero)
    await trystero.leave().catch(() => undefined)
    rejoining = false
    if (left) return
    passed.clear()
    meeting.clear()
    trystero = open()
  }

  let trystero: Room = open()

  // Over the limit a frame is dropped; a peer that keeps on is cut off, and its device refused for a while.
  const withinRate = (peerId: string): boolean => {
    if (handshake === undefined) return true
    const verdict = rate.take(peerId)
    if (verdict === 'pass') return true
    const stats = rateStats.get()
    rateStats.set({ dropped: stats.dropped + 1, cut: stats.cut + (verdict === 'cut' ? 1 : 0) })
    if (verdict === 'cut') {
      const peer = authenticated.get().get(peerId)
      if (peer !== undefined) banned.set(peer.device, clock.now() + FLOOD_BAN_MS)
      setAuthenticated((peers) => peers.delete(peerId))
      refuse({ peerId, code: 'flooding' })
      trystero.getPeers()[peerId]?.close()
    }
    return false
  }

  // Trystero keeps one action per name, so a channel is made once and shared by every caller.
  const channels = new Map<string, SwarmChannel<never>>()
  const makeChannel = <T extends DataPayload>(name: string): SwarmChannel<T> => {
    const listeners = new Set<(data: T, peerId: string) => void>()
    const bind = (target: Room): MessageAction<T> =>
      target.makeAction<T>(name, {
        onMessage: (data, { peerId }) => {
          if (target !== trystero || !admitted(peerId) || !withinRate(peerId)) return
          hear(peerId)
          for (const listener of [...listeners]) listener(data, peerId)
        },
      })
    let action = bind(trystero)
    binders.set(name, (target) => {
      action = bind(target)
    })
    return {
      send: (data, target) => {
        if (handshake === undefined) return action.send(data, { target: targets(target) })
        const wanted = target === undefined ? null : typeof target === 'string' ? [target] : target
        // Trystero sends only to active peers, which passed; this keeps the rule in one place for tests and fakes.
        const peers = [...authenticated.get().keys()].filter((id) => wanted === null || wanted.includes(id))
        // One Trystero no longer has would get nothing (it warns and resolves): the send fails, so that what the
        // caller sent is known lost, and its proof goes (after this call: subscribers detach links, which may be
        // sending). `joined` and the rejoin are left to its leave: Trystero replacing a connection under the same
        // id drops the old one this way too, and the new one may be in its handshake.
        const present = trystero.getPeers()
        const gone = peers.filter((id) => present[id] === undefined)
        if (gone.length > 0) {
          queueMicrotask(() => {
            const now = trystero.getPeers()
            const stale = gone.filter((id) => now[id] === undefined && authenticated.get().has(id))
            if (stale.length === 0) return
            setAuthenticated((all) => {
              for (const id of stale) all.delete(id)
            })
          })
        }
        const live = peers.filter((id) => present[id] !== undefined)
        const sent = live.length === 0 ? Promise.resolve() : action.send(data, { target: live })
        return gone.length > 0 && typeof target === 'string'
          ? sent.then(() => Promise.reject(new PeerGone(target)))
          : sent
      },
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
    registerChannel(name)
    return made
  }

  // Every channel any swarm of the page made is made here too, so Trystero keeps no frame of ours (action-types.ts).
  const stopWatchingChannels = watchChannels((name) => {
    channel(name)
  })

  // A peer that one of ours met and we did not: the meeting failed, and neither side is lonely. Trystero tries
  // again only at its next announce (60 s), so after the same spread backoff the room is joined again, within the
  // bounds of `MissedMeetings`.
  const met = channel<string[]>(MET_CHANNEL)
  let cancelMeeting: (() => void) | undefined
  // Who a peer proved to be: two reports must come from two identities where our peers are of two or more.
  const whoIs = (peerId: string): string =>
    authenticated.get().get(peerId)?.identity ?? (handshake === undefined ? peerId : `peer:${peerId}`)
  // The digests missed now, or undefined while one we must compare with is still being computed (then again).
  const missingNow = (): string[] | undefined => {
    const known = new Set<string>()
    for (const id of [page.selfId, ...joined, ...meeting]) {
      const digest = digests.of(id)
      if (digest === undefined) {
        void digests.ensure(id).then(checkMeetings)
        return undefined
      }
      known.add(digest)
    }
    return missed.missing(known, new Set([...joined].map(whoIs)).size, clock.now())
  }
  const checkMeetings = (): void => {
    if (left || !watchMeetings) return
    const missing = missingNow()
    if (missing === undefined) return
    if (missing.length === 0) {
      cancelMeeting?.()
      cancelMeeting = undefined
      return
    }
    if (cancelMeeting !== undefined || delays.length === 0) return
    const base = delays[Math.min(missed.failures, delays.length - 1)] ?? 0
    const spread = Math.round(base * (1 + REJOIN_JITTER * (2 * random() - 1)))
    cancelMeeting = after(Math.max(spread, missed.waitForBudget(clock.now())), () => {
      cancelMeeting = undefined
      const due = missingNow()
      if (left || due === undefined || due.length === 0) return
      // Out of budget (a timer fired early): wait for it.
      if (missed.waitForBudget(clock.now()) > 0) {
        checkMeetings()
        return
      }
      void rejoin(true, due).then(() => {
        scheduleRejoin(0)
      })
    })
  }
  const endMeeting = (peerId: string): void => {
    if (meeting.delete(peerId)) checkMeetings()
  }
  // Sent in order: a list whose digests came after a newer one's is not sent.
  let metSent = 0
  const joinedChanged = (): void => {
    if (watchMeetings) {
      const sending = ++metSent
      void Promise.all([...joined].map((id) => digests.ensure(id))).then((list) => {
        if (sending === metSent && !left) met.send(list).catch(() => undefined)
      })
    }
    checkMeetings()
  }
  met.subscribe((data, peerId) => {
    if (!watchMeetings) return
    missed.report(peerId, whoIs(peerId), readMetList(data))
    checkMeetings()
  })

  const visibility = options.visibility ?? documentVisibility
  const heartbeat = channel<string>(PRESENCE_CHANNEL)
  heartbeat.subscribe((beat, peerId) => {
    hear(peerId, beat === 'hidden' ? timeouts.hidden : timeouts.here)
  })
  const beat = (): void => {
    const message: Beat = visibility.isHidden() ? 'hidden' : 'here'
    // A peer that vanishes while this is in flight rejects it; noticing such peers is the point of the beat.
    heartbeat.send(message).catch(() => undefined)
  }
  // A beat this late means this page was stalled (a long task, a frozen tab): what its peers sent is still to be read.
  const lateTickMs = LATE_BEATS * (options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS)
  let lastTick = clock.now()
  const closeSilent = (): void => {
    const now = clock.now()
    const late = now - lastTick > lateTickMs
    lastTick = now
    for (const peerId of silent.silent()) {
      const connection = trystero.getPeers()[peerId]
      if (!authenticated.get().has(peerId) || connection === undefined) {
        silent.forget(peerId)
        continue
      }
      // Frames of any room on the connection (they share its one channel) say the peer is here: a long message over a
      // slow link, or a first sync in another room ahead of this one's beats, is handed over whole and late.
      const heardAt = heard(connection, ANY_ROOM)
      if (late || (heardAt !== undefined && now - heardAt <= SILENT_CLOSE_MS)) {
        silent.heard(peerId)
        continue
      }
      silent.forget(peerId)
      trace('silent-closed', { peer: shortId(peerId) })
      connection.close()
    }
  }
  const stopBeating = (options.every ?? intervalTimer)(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, () => {
    beat()
    presence.sweep()
    closeSilent()
  })
  // A page coming back tells the others at once, so they stop waiting long for it. A page going hidden
  // says so with its next beat: a closing page turns hidden too, and must not ask to be waited for.
  const stopWatching = visibility.subscribe(() => {
    if (!visibility.isHidden()) beat()
  })

  // The network back: a lonely room rejoins now, then backs off again from the start.
  const stopHearingOnline = (options.online ?? windowOnline).subscribe(() => {
    if (joined.size > 0) return
    stopRejoining()
    void rejoin().then(() => {
      scheduleRejoin(0)
    })
  })
  scheduleRejoin(0)

  return {
    selfId: page.selfId,
    peers: presence.peers,
    authenticated,
    rate: rateStats,
    channel,
    closePeer: (peerId) => {
      trystero.getPeers()[peerId]?.close()
    },
    onRefused: (listener) => {
      refusedListeners.add(listener)
      return () => refusedListeners.delete(listener)
    },
    leave: async () => {
      left = true
      stopRejoining()
      cancelMeeting?.()
      stopWatchingChannels()
      stopHearingOnline()
      stopBeating()
      stopWatching()
      presence.clear()
      passed.clear()
      authenticated.set(new Map())
      leaving.add(trystero)
      // Trystero rejects when a peer is already gone; the room is left either way.
      await trystero.leave().catch(() => undefined)
    },
  }
}
