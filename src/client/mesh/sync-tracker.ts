import { noTrace, shortId, type Clock, type Trace } from '../../base'
import type { PeerSyncWatch, SpaceId } from '../../echo'
import type { MeshStatus, RelayStatus } from '../../mesh'
import type { LastSyncedKeep } from './last-synced-keep'

type SpaceState = MeshStatus['spaces'][string]

/** How a remote repo's heads compare to ours (ECHO's `watchPeer`). */
export type WatchPeer = (repo: string, changed: () => void) => PeerSyncWatch

interface Connection {
  readonly device: string
  readonly repo: string
  /** The identity the peer proved in the handshake (the Members panel shows its devices online). */
  readonly identity?: string
}

interface Watched {
  readonly watch: PeerSyncWatch
  /** Connections (over every room) that use it. */
  users: number
  /** Cancels the stall timer, armed while the peer has a document behind ours. */
  cancelStall: (() => void) | undefined
  /** How long the next stall timer waits: doubled at each restart, back to the start once up to date for long. */
  stallMs: number
  /** The pending documents' heads (`PeerSyncWatch.state`) at the last stall, and the restarts made for them. */
  stuck: { readonly state: string; readonly restarts: number } | undefined
  /** Since when its heads have matched ours (undefined: behind). */
  matchedAt: number | undefined
}

/**
 * A peer with a document behind ours and no progress for this long is restarted (`restart`): a message between us
 * was lost, and Automerge's sync never sends it again (a device stayed "Syncing…" for good in CI). Progress is any
 * change of the peer's pending documents; a first sync of 10,000 documents changes them many times a second.
 */
const FIRST_STALL_MS = 8_000
const MAX_STALL_MS = 128_000
/**
 * Restarts for the same stuck heads (review 15). A restart sends everything again from a fresh start on both sides,
 * so one lost message heals at the first (8 s); three cover two more losses in a row. A document that can never go
 * through (one over the frame cap, review 15 J4) then costs three restarts, not one every 128 s for good (the
 * adapter no longer sends a frame over the cap, which the receiver counted against the honest sender, 16 a cut).
 */
const MAX_RESTARTS = 3
/** The backoff goes back to the first delay only after the peer matched ours this long: a brief match keeps it. */
const SETTLED_MS = MAX_STALL_MS
/**
 * The last sync times are written at most this often: they change at every status while a device matches ours
 * (many a second during a sync). A tab closed without its stop (a crash) loses at most this much of them.
 */
const KEEP_EVERY_MS = 5_000

/** `PeerSyncWatch.state` for a trace: each pending document's short id with how many heads each side has. */
const describePending = (state: string): string =>
  state
    .split(';')
    .filter((entry) => entry !== '')
    .slice(0, 8)
    .map((entry) => {
      const [documentId = '', ours = '', theirs = ''] = entry.split(':')
      const heads = (list: string): number => (list === '' ? 0 : list.split(',').length)
      return `${shortId(documentId)} ours ${String(heads(ours))} theirs ${String(heads(theirs))}`
    })
    .join(', ')

/**
 * The first two pending documents' heads, one field each (a trace cuts a field to 64 characters): `id ours … theirs
 * …` with three heads a side at most, each cut to 6 characters. A stall where both sides hold one head says nothing
 * without which ones.
 */
const pendingHeads = (state: string): Record<string, string> => {
  const short = (list: string): string =>
    (list === '' ? [] : list.split(','))
      .slice(0, 3)
      .map((hash) => hash.slice(0, 6))
      .join(' ')
  const fields: Record<string, string> = {}
  for (const [at, entry] of state
    .split(';')
    .filter((each) => each !== '')
    .slice(0, 2)
    .entries()) {
    const [documentId = '', ours = '', theirs = ''] = entry.split(':')
    fields[`heads${String(at + 1)}`] = `${shortId(documentId)} ours ${short(ours)} theirs ${short(theirs)}`
  }
  return fields
}

const timer = (run: () => void, ms: number): (() => void) => {
  const handle = setTimeout(run, ms)
  return () => {
    clearTimeout(handle)
  }
}

/**
 * The leader's sync status: who is connected in each space and whether each holds what we hold, by heads as
 * automerge-repo reports them for it (ECHO's `watchPeer`, event driven). A space is `syncing` while any connected
 * device has a document of it whose heads differ from ours (or not reported yet), `up-to-date` once none has;
 * with no device connected it is `alone`, and keeps the last time a device's heads matched ours (`lastSynced`,
 * updated at every status while they match and when it leaves); the whole mesh is `offline` without a network.
 * With a `keep`, it starts from the times kept by the leader before it (a reload, another tab's lead) and keeps
 * its own, at most every `KEEP_EVERY_MS` and at `flush()`.
 */
export class SyncTracker {
  readonly #connections = new Map<string, Map<string, Connection>>()
  readonly #watched = new Map<string, Watched>()
  readonly #lastSynced = new Map<string, NonNullable<SpaceState['lastSynced']>>()
  readonly #clock: Clock
  readonly #nameOf: (device: string) => string | undefined
  readonly #publish: (status: MeshStatus) => void
  readonly #watchPeer: WatchPeer
  readonly #restart: (repo: string) => void
  readonly #after: (run: () => void, ms: number) => () => void
  readonly #keep: LastSyncedKeep | undefined
  readonly #trace: Trace
  /** Cancels the pending write of the last sync times (armed while they changed since the last one). */
  #cancelKeep: (() => void) | undefined
  #online: boolean
  #relays: readonly RelayStatus[] = []
  #tooLarge: Readonly<Record<string, number>> = {}

  constructor(options: {
    clock: Clock
    online: boolean
    nameOf: (device: string) => string | undefined
    publish: (status: MeshStatus) => void
    watchPeer: WatchPeer
    /** Starts the sync with a remote repo over on both sides (mesh's `MeshNetworkAdapter.restart`). */
    restart?: (repo: string) => void
    /** Runs `run` after `ms` unless the returned cancel is called first. */
    after?: (run: () => void, ms: number) => () => void
    /** Where the last sync per space is kept across leaders. */
    keep?: LastSyncedKeep
    /** Told of connections met and gone, and of each stall with what it did. */
    trace?: Trace
  }) {
    this.#clock = options.clock
    this.#online = options.online
    this.#nameOf = options.nameOf
    this.#publish = options.publish
    this.#watchPeer = options.watchPeer
    this.#restart = options.restart ?? (() => undefined)
    this.#after = options.after ?? timer
    this.#keep = options.keep
    this.#trace = options.trace ?? noTrace
    for (const [spaceId, { at, device }] of this.#keep?.read() ?? []) {
      const name = this.#nameOf(device)
      this.#lastSynced.set(spaceId, { at, device, ...(name === undefined ? {} : { name }) })
    }
  }

  /** Writes the last sync times now if they changed since the last write (the mesh is stopping). */
  flush(): void {
    if (this.#cancelKeep === undefined) return
    this.#cancelKeep()
    this.#cancelKeep = undefined
    this.#keep?.write(this.#lastSynced)
  }

  /** A space whose room we are in (none connected yet). */
  space(spaceId: string): void {
    if (!this.#connections.has(spaceId)) this.#connections.set(spaceId, new Map())
    this.#emit()
  }

  forget(spaceId: string): void {
    for (const connection of [...(this.#connections.get(spaceId)?.keys() ?? [])]) this.disconnected(spaceId, connection)
    this.#connections.delete(spaceId)
    this.#emit()
  }

  /**
   * A connection in one of `spaceId`'s rooms: `connection` names it in that room (a peer met in two rooms of the
   * space, its current one and one kept below it, is two connections, and stays listed while either lasts; review of
   * kept rooms, 5). `repo` is the remote's automerge-repo peer id, whose heads are compared; `identity` the one it
   * proved.
   */
  connected(spaceId: string, connection: string, device: string, repo: string, identity?: string): void {
    const peers = this.#connections.get(spaceId) ?? new Map<string, Connection>()
    this.#connections.set(spaceId, peers)
    if (peers.has(connection)) this.disconnected(spaceId, connection)
    peers.set(connection, identity === undefined ? { device, repo } : { device, repo, identity })
    this.#trace('connected', { space: shortId(spaceId), connection, repo: shortId(repo) })
    const watched = this.#watched.get(repo)
    if (watched === undefined) {
      const added: Watched = {
        watch: this.#watchPeer(repo, () => {
          this.#progressed(repo)
          this.#emit()
        }),
        users: 1,
        cancelStall: undefined,
        stallMs: FIRST_STALL_MS,
        stuck: undefined,
        matchedAt: undefined,
      }
      this.#watched.set(repo, added)
      this.#progressed(repo)
    } else watched.users++
    this.#emit()
  }

  disconnected(spaceId: string, connection: string): void {
    const peers = this.#connections.get(spaceId)
    const peer = peers?.get(connection)
    if (peers === undefined || peer === undefined) return
    // Its heads matched ours until now: it leaves synced.
    if (this.#pending(spaceId, peer) === 0) this.#synced(spaceId, peer)
    this.#trace('disconnected', { space: shortId(spaceId), connection, repo: shortId(peer.repo) })
    peers.delete(connection)
    const watched = this.#watched.get(peer.repo)
    if (watched !== undefined && --watched.users === 0) {
      watched.cancelStall?.()
      watched.watch.stop()
      this.#watched.delete(peer.repo)
    }
    this.#emit()
  }

  online(online: boolean): void {
    this.#online = online
    this.#emit()
  }

  /** How each relay treats us (mesh's `watchRelays`), shown in Settings. */
  relays(relays: readonly RelayStatus[]): void {
    this.#relays = relays
    this.#emit()
  }

  /** How many documents of each space the mesh could not send, being over its frame cap (`stats.tooLarge`). */
  tooLarge(counts: Readonly<Record<string, number>>): void {
    if (JSON.stringify(counts) === JSON.stringify(this.#tooLarge)) return
    this.#tooLarge = counts
    this.#emit()
  }

  status(): MeshStatus {
    const spaces: Record<string, SpaceState> = {}
    for (const [spaceId, peers] of this.#connections) {
      let busy = false
      for (const peer of peers.values()) {
        if (this.#pending(spaceId, peer) > 0) busy = true
        else this.#synced(spaceId, peer)
      }
      const identities = new Map([...peers.values()].map((peer) => [peer.device, peer.identity]))
      const devices = [...identities.keys()]
      const state = !this.#online ? 'offline' : peers.size === 0 ? 'alone' : busy ? 'syncing' : 'up-to-date'
      const lastSynced = this.#lastSynced.get(spaceId)
      const tooLarge = this.#tooLarge[spaceId] ?? 0
      spaces[spaceId] = {
        state,
        peers: devices.map((device) => {
          const name = this.#nameOf(device)
          const identity = identities.get(device)
          return { device, ...(name === undefined ? {} : { name }), ...(identity === undefined ? {} : { identity }) }
        }),
        ...(lastSynced === undefined ? {} : { lastSynced }),
        ...(tooLarge > 0 ? { tooLarge } : {}),
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
    return {
      overall,
      spaces,
      ...(latest === undefined ? {} : { lastSynced: latest }),
      ...(this.#relays.length === 0 ? {} : { relays: [...this.#relays] }),
    }
  }

  /** The peer's pending documents changed (or it was met): its stall timer starts again while it is behind. */
  #progressed(repo: string): void {
    const watched = this.#watched.get(repo)
    if (watched === undefined) return
    watched.cancelStall?.()
    watched.cancelStall = undefined
    const now = this.#clock.now()
    if (!this.#behind(repo)) {
      watched.stuck = undefined
      watched.matchedAt ??= now
      return
    }
    if (watched.matchedAt !== undefined && now - watched.matchedAt >= SETTLED_MS) watched.stallMs = FIRST_STALL_MS
    watched.matchedAt = undefined
    watched.cancelStall = this.#after(() => {
      watched.cancelStall = undefined
      if (this.#watched.get(repo) !== watched || !this.#behind(repo)) return
      this.#stalled(watched, repo)
      this.#progressed(repo)
    }, watched.stallMs)
  }

  /**
   * No change of the peer's pending documents for a stall's delay: restarted, unless their heads moved since the
   * last restart (the sync goes on), or `MAX_RESTARTS` restarts did not move them (it is checked again later).
   */
  #stalled(watched: Watched, repo: string): void {
    const state = watched.watch.state()
    const documents = describePending(state)
    if (watched.stuck !== undefined && watched.stuck.state !== state) {
      this.#trace('stalled', { repo: shortId(repo), documents, ...pendingHeads(state), moved: true })
      watched.stuck = { state, restarts: 0 }
      return
    }
    const restarts = watched.stuck?.restarts ?? 0
    this.#trace('stalled', { repo: shortId(repo), documents, ...pendingHeads(state), restarts })
    if (restarts >= MAX_RESTARTS) return
    this.#restart(repo)
    watched.stuck = { state, restarts: restarts + 1 }
    watched.stallMs = Math.min(watched.stallMs * 2, MAX_STALL_MS)
  }

  /** Whether a connected device of that repo has a document of a space we share with it that differs from ours. */
  #behind(repo: string): boolean {
    for (const [spaceId, peers] of this.#connections) {
      for (const peer of peers.values()) if (peer.repo === repo && this.#pending(spaceId, peer) > 0) return true
    }
    return false
  }

  #pending(spaceId: string, connection: Connection): number {
    return this.#watched.get(connection.repo)?.watch.pending(spaceId as SpaceId) ?? 1
  }

  #synced(spaceId: string, connection: Connection): void {
    const name = this.#nameOf(connection.device)
    this.#lastSynced.set(spaceId, {
      // To the second (the app says minutes): statuses that would differ only in the milliseconds of this time are
      // the same status, and the leader tells the tabs none of them again (`mesh-status-channel.ts`).
      at: Math.floor(this.#clock.now() / 1_000) * 1_000,
      device: connection.device,
      ...(name === undefined ? {} : { name }),
    })
    if (this.#keep === undefined || this.#cancelKeep !== undefined) return
    this.#cancelKeep = this.#after(() => {
      this.#cancelKeep = undefined
      this.#keep?.write(this.#lastSynced)
    }, KEEP_EVERY_MS)
  }

  #emit(): void {
    this.#publish(this.status())
  }
}
