import { noTrace, shortId, type Observable, type Result, type Trace } from '../../base'
import type { Echo, SpaceId } from '../../echo'
import type { IdentityKey, PublicKey } from '../../halo'
import {
  MeshNetworkAdapter,
  newRepoId,
  type AuthenticatedPeer,
  type MeshSettings,
  type Refused,
  type Screen,
  type SwarmRefusal,
  type TrysteroPage,
} from '../../mesh'
import { OWN_DEVICES_CHECK_MS, OwnDevicesWatch } from './own-devices-watch'
import { isRemote, PeerAccess } from './peer-access'
import type { RefusalNotice } from './refusal-notice'
import { joinSpaceRoom, type RoomWatcher, type SpaceRoom } from './space-room'
import type { SyncTracker } from './sync-tracker'

/** What the mesh needs of this device's identity (HALO's, adapted by the client). */
export interface MeshIdentity {
  readonly identityKey: IdentityKey
  readonly deviceKey: PublicKey
  /** Our AuthorizedDevice chain, shown in every handshake. */
  readonly chain: unknown
  signBytes(bytes: Uint8Array): Promise<string>
  /** HALO's verifyPeerDevice with HALO's and `spaceId`'s revocations. */
  verifyChain(spaceId: SpaceId, chain: unknown, device: PublicKey): Promise<Result<{ identity: IdentityKey }, Refused>>
  /** Whether `peer` may be in `spaceId` now (membership by the fold, revocations); a refusal says why. */
  admits(spaceId: SpaceId, peer: AuthenticatedPeer): Refused | undefined
  /** Whether `identity` may change the documents of `spaceId` now (its role by the fold). */
  mayWrite(spaceId: SpaceId, identity: IdentityKey | null): boolean | Promise<boolean>
}

/** A room to be in: a space of ours at a generation whose swarm secret this device holds, as room id and password. */
export interface RoomEntry {
  readonly spaceId: SpaceId
  readonly generation: number
  readonly room: { readonly roomId: string; readonly password: string }
}

export interface MeshServiceOptions {
  readonly echo: Echo
  readonly identity: MeshIdentity
  readonly rooms: Observable<readonly RoomEntry[]>
  /** Calls its listener whenever an answer of `admits` may have changed (revocations, membership). */
  readonly onAccessChange: (listener: () => void) => () => void
  /** How long a `not-member` answer waits for the log to admit the peer; `MEMBERSHIP_WAIT_MS` by default. */
  readonly membershipWaitMs?: number
  readonly settings: MeshSettings
  readonly page: TrysteroPage
  /** This device's storage (`deviceStorage`), shared by its tabs: peers keep our sync state under it; null when unknown. */
  readonly storage: string | null
  readonly onRefused?: (spaceId: SpaceId, refusal: SwarmRefusal) => void
  /** A connected peer's notice of why it cuts us off (unverified); true when it took effect (see `space-room.ts`). */
  readonly onNotice?: (spaceId: SpaceId, notice: RefusalNotice) => boolean
  /** Told who is connected in each room (the sync status compares their heads with ours). */
  readonly tracker?: SyncTracker
  /** Told of each peer let into a space's room: its device, and the identity its chain proved. */
  readonly onPeer?: (spaceId: SpaceId, device: PublicKey, identity: IdentityKey) => void
  /** Told of rooms joined and left, handshakes refused, and the adapter's rare events. */
  readonly trace?: Trace
  /** Our personal space, once known: a device of ours met elsewhere but long missing from its room is out of step. */
  readonly personalSpace?: () => SpaceId | undefined
  /** Runs `tick` every `ms` until the returned function is called (`setInterval` by default). */
  readonly every?: (ms: number, tick: () => void) => () => void
}

export interface MeshService {
  /** Our Repo's id on the wire, `cp1.<device>.<random>`, fresh for each leader term. */
  readonly wireId: string
  readonly access: PeerAccess
  readonly adapter: MeshNetworkAdapter
  /** The rooms joined now, by space: the highest generation's. */
  rooms(): ReadonlyMap<SpaceId, SpaceRoom>
  /** Re-checks every connected peer now; returns how many were cut off. */
  recheck(): number
  stop(): Promise<void>
}

const everyInterval = (ms: number, tick: () => void): (() => void) => {
  const timer = setInterval(tick, ms)
  return () => {
    clearInterval(timer)
  }
}

const sameRoom = (a: RoomEntry['room'], b: RoomEntry['room']): boolean =>
  a.roomId === b.roomId && a.password === b.password

/** A space may be in several rooms at once (its current generation and those kept below it, `KEPT_GENERATIONS`). */
const keyOf = (entry: RoomEntry): string => `${entry.spaceId}|${String(entry.generation)}`

/**
 * The leader tab's mesh: one adapter for every room, replicated by ECHO with the access rules, one room
 * per space whose secret we hold; every change of revocations or membership re-checks each peer, and a
 * peer no longer allowed is detached, its connection closed and the Repo told (`shareConfigChanged`).
 */
export const startMeshService = (options: MeshServiceOptions): MeshService => {
  const { echo, identity } = options
  const wireId = newRepoId(identity.deviceKey)
  // A remote that may see a space again (its last room there was left, then a new room met it: a rotation) while
  // another room kept it connected was taken out of that space's documents when its grant went, and nothing would
  // start them again: the Repo re-reads who may see what, once per turn.
  let resharing = false
  const joined = new Map<string, { readonly entry: RoomEntry; readonly room: SpaceRoom }>()
  // The generation of a space's current room: the highest joined; those below it are kept rooms.
  const currentGeneration = (spaceId: SpaceId): number | undefined => {
    let current: number | undefined
    for (const { entry } of joined.values()) {
      if (entry.spaceId === spaceId && (current === undefined || entry.generation > current)) current = entry.generation
    }
    return current
  }
  /** A room below its space's newest joined generation: kept for members catching up. */
  const isKept = ({ spaceId, generation }: { spaceId: SpaceId; generation: number }): boolean =>
    (currentGeneration(spaceId) ?? generation) > generation
  const access = new PeerAccess({
    spaceOf: (documentId) => echo.spaceOfDocument(documentId as never),
    placedIn: (documentId) => echo.placementOfDocument(documentId as never),
    isRoot: (documentId) => echo.isSpaceRoot(documentId as never),
    currentGeneration,
    gained: () => {
      if (resharing) return
      resharing = true
      queueMicrotask(() => {
        resharing = false
        echo.shareConfigChanged()
      })
    },
  })
  // A change from a peer that may not write is not applied: its sync messages lose their changes on receipt.
  const screen: Screen = async (sender, message) => {
    if (message.type !== 'sync' && message.type !== 'request') return message
    const { documentId, data } = message
    const spaceId = documentId === undefined ? undefined : echo.spaceOfDocument(documentId)
    // A document the peer may not see is refused by the Repo's access rule; a root being adopted, by its log.
    if (spaceId === undefined || documentId === undefined || !access.allows(message.senderId, documentId))
      return message
    if (data === undefined || (await identity.mayWrite(spaceId, sender.identity as IdentityKey | null))) return message
    const screened = await echo.withoutChanges(documentId, data, sender.identity as PublicKey | null)
    return screened === undefined ? undefined : { ...message, data: screened }
  }
  const trace = options.trace ?? noTrace
  const adapter = new MeshNetworkAdapter({
    allowed: (peer, documentId) => access.allows(peer, documentId),
    screen,
    wireId,
    trace,
  })
  echo.replicate(adapter, {
    access: (peer, documentId) => access.allows(peer, documentId),
    // Remotes are offered what they may see. Tabs: ECHO's own rule (tabs share everything) answers for them.
    announce: (peer, documentId) => isRemote(peer) && access.allows(peer, documentId),
  })
  const { tracker, onPeer } = options
  const watcher = ({ spaceId, generation }: RoomEntry): RoomWatcher | undefined => {
    if (tracker === undefined && onPeer === undefined) return undefined
    tracker?.space(spaceId)
    // A peer is a connection of each room of the space it is met in (the page id is the same in all of them).
    const connection = (peerId: string): string => `${String(generation)} ${peerId}`
    return {
      connected: (peerId, device, repo, identity) => {
        tracker?.connected(spaceId, connection(peerId), device, repo, identity)
        if (identity !== undefined) onPeer?.(spaceId, device as PublicKey, identity as IdentityKey)
      },
      disconnected: (peerId) => {
        tracker?.disconnected(spaceId, connection(peerId))
      },
    }
  }
  const join = (entry: RoomEntry): SpaceRoom => {
    const watch = watcher(entry)
    return joinSpaceRoom({
      spaceId: entry.spaceId,
      generation: entry.generation,
      room: entry.room,
      settings: options.settings,
      page: options.page,
      local: {
        repo: wireId,
        storage: options.storage,
        identity: identity.identityKey,
        device: identity.deviceKey,
        chain: identity.chain,
        sign: (bytes) => identity.signBytes(bytes),
      },
      verifyChain: (chain, device) => identity.verifyChain(entry.spaceId, chain, device),
      admits: (peer) => identity.admits(entry.spaceId, peer),
      accessChanged: options.onAccessChange,
      ...(options.membershipWaitMs === undefined ? {} : { membershipWaitMs: options.membershipWaitMs }),
      adapter,
      access,
      onRefused: (refusal: SwarmRefusal) => {
        trace('refused', {
          space: shortId(entry.spaceId),
          generation: entry.generation,
          peer: shortId(refusal.peerId),
          code: refusal.remoteCode === undefined ? refusal.code : `${refusal.code} ${refusal.remoteCode}`,
          ...(refusal.restarted === true ? { restarted: true } : {}),
          ...(refusal.detail === undefined ? {} : { detail: refusal.detail }),
        })
        options.onRefused?.(entry.spaceId, refusal)
      },
      ...(options.onNotice === undefined
        ? {}
        : { onNotice: (notice: RefusalNotice) => options.onNotice?.(entry.spaceId, notice) === true }),
      ...(watch === undefined ? {} : { watch }),
      kept: () => isKept(entry),
      trace: (event, fields) => {
        trace(event, { space: shortId(entry.spaceId), generation: entry.generation, ...fields })
      },
    })
  }
  const leaving = new Set<Promise<void>>()
  const leave = (room: SpaceRoom): void => {
    // The status forgets a space only once none of its rooms is left.
    if (![...joined.values()].some((each) => each.room.spaceId === room.spaceId)) tracker?.forget(room.spaceId)
    const left = room.leave().finally(() => leaving.delete(left))
    leaving.add(left)
    echo.shareConfigChanged()
  }
  const follow = (entries: readonly RoomEntry[]): void => {
    const wanted = new Map(entries.map((entry) => [keyOf(entry), entry]))
    for (const [key, { entry, room }] of [...joined]) {
      const next = wanted.get(key)
      if (next !== undefined && sameRoom(next.room, entry.room)) continue
      joined.delete(key)
      trace('room-left', { space: shortId(entry.spaceId), generation: entry.generation })
      leave(room)
    }
    // The highest generation first: the rooms below it then know at once that they are kept.
    const added = [...wanted].filter(([key]) => !joined.has(key)).sort(([, a], [, b]) => b.generation - a.generation)
    for (const [key, entry] of added) {
      trace('room', { space: shortId(entry.spaceId), generation: entry.generation })
      joined.set(key, { entry, room: join(entry) })
    }
    // A new generation's room makes the one below it a kept room: its peers now see the root only.
    if (added.length > 0) echo.shareConfigChanged()
  }
  const recheck = (): number => {
    let cut = 0
    for (const { room } of joined.values()) cut += room.recheck()
    // Documents now refused stop, those now allowed are offered; the outbound filter covers the meantime.
    echo.shareConfigChanged()
    return cut
  }
  follow(options.rooms.get())
  const stopRooms = options.rooms.subscribe(follow)
  // A device of ours met in a space's room but long missing from our personal room: see `OwnDevicesWatch`.
  const ownDevices = new OwnDevicesWatch()
  const stopWatchingOwn = (options.every ?? everyInterval)(OWN_DEVICES_CHECK_MS, () => {
    const rooms = [...joined.values()].map(({ room }) => ({
      spaceId: room.spaceId,
      kept: isKept(room),
      peers: room.swarm.authenticated.get(),
    }))
    for (const peerId of ownDevices.check(Date.now(), rooms, options.personalSpace?.(), identity.identityKey)) {
      trace('own-device-missing', { peer: shortId(peerId) })
      // One connection per peer, shared by the rooms: closing it in any room it is in closes it in all.
      for (const { room } of joined.values()) room.swarm.closePeer(peerId)
    }
  })
  const stopAccess = options.onAccessChange(() => {
    recheck()
  })
  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopRooms()
    stopAccess()
    stopWatchingOwn()
    const rooms = [...joined.values()]
    joined.clear()
    for (const { room } of rooms) leave(room)
    await Promise.all([...leaving])
    echo.stopReplicating(adapter)
  }
  return {
    wireId,
    access,
    adapter,
    rooms: () => {
      const bySpace = new Map<SpaceId, SpaceRoom>()
      for (const { room } of joined.values()) {
        const known = bySpace.get(room.spaceId)
        if (known === undefined || known.generation < room.generation) bySpace.set(room.spaceId, room)
      }
      return bySpace
    },
    recheck,
    stop: () => (stopping ??= stop()),
  }
}
