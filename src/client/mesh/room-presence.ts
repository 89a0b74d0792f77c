/**
 * Presence in the leader tab: in each space room, which remote devices are here now and which notes they have
 * open, and the same about us sent to them (`cp.open`, sharing the room's authenticated connections).
 */
import { Cell, type Clock, type Observable } from '../../base'
import { parseObjectId, type Space, type SpaceId } from '../../echo'
import { OPEN_CHANNEL, readOpenFrame, writeOpenFrame, type Swarm } from '../../mesh'
import type { RoomEntry, MeshService } from './mesh-service'
import type { SpaceRoom } from './space-room'

/** One remote device present in a space room: who proved it, and the space's objects it says it has open. */
export interface DeviceHere {
  readonly identity: string
  readonly device: string
  readonly open: readonly string[]
}

/**
 * Per peer, a token bucket: 8 frames at once, then 2 a second. A person opens a note a second at most; a peer
 * beyond that is dropped before its frame is read, so a flood costs a counter, not a parse.
 */
const BURST = 8
const PER_SECOND = 2

interface Bucket {
  tokens: number
  at: number
}

const take = (bucket: Bucket, now: number): boolean => {
  bucket.tokens = Math.min(BURST, bucket.tokens + ((now - bucket.at) / 1000) * PER_SECOND)
  bucket.at = now
  if (bucket.tokens < 1) return false
  bucket.tokens -= 1
  return true
}

export interface RoomPresenceOptions {
  readonly swarm: Pick<Swarm, 'authenticated' | 'peers' | 'channel'>
  /** What this profile's tabs have open in the space now. */
  readonly mine: Observable<readonly string[]>
  /** Whether `objectId` is one of this space's objects: a frame naming another is not believed. */
  readonly belongs: (objectId: string) => Promise<boolean>
  readonly clock: Clock
}

export interface RoomPresence {
  readonly here: Observable<readonly DeviceHere[]>
  /** Says again what we have open, if anything (see `RESEND_MS`). */
  resend(): void
  stop(): void
}

/**
 * A device is here while its connection passed the handshake and is open (`authenticated`) and its heartbeat is
 * heard (`peers`: a page closed without leaving is gone after 3.5 s, not Trystero's 10-12 s). What it has open is
 * only what it sent itself on this room's connection: the sender is the authenticated peer, never a claimed id.
 */
export const followRoomPresence = (options: RoomPresenceOptions): RoomPresence => {
  const { swarm, clock } = options
  const channel = swarm.channel<string>(OPEN_CHANNEL)
  const opens = new Map<string, readonly string[]>()
  const buckets = new Map<string, Bucket>()
  // The latest frame of each peer: an older one whose check finishes later is not applied over it.
  const sequence = new Map<string, number>()
  const here = new Cell<readonly DeviceHere[]>([])
  const publish = (): void => {
    const heard = swarm.peers.get()
    const list: DeviceHere[] = []
    for (const [peerId, peer] of swarm.authenticated.get()) {
      if (peer.identity === null || !heard.has(peerId)) continue
      list.push({ identity: peer.identity, device: peer.device, open: opens.get(peerId) ?? [] })
    }
    const before = here.get()
    const same =
      before.length === list.length &&
      before.every(
        (one, i) =>
          one.device === list[i]?.device &&
          one.open.join() === list[i].open.join() &&
          one.identity === list[i].identity,
      )
    if (!same) here.set(list)
  }
  const stopFrames = channel.subscribe((data, peerId) => {
    const peer = swarm.authenticated.get().get(peerId)
    if (peer?.identity === null || peer === undefined) return
    let bucket = buckets.get(peerId)
    if (bucket === undefined) buckets.set(peerId, (bucket = { tokens: BURST, at: clock.now() }))
    if (!take(bucket, clock.now())) return
    const named = readOpenFrame(data)
    if (named === undefined) return
    const seq = (sequence.get(peerId) ?? 0) + 1
    sequence.set(peerId, seq)
    const unique = [...new Set(named)]
    void Promise.all(unique.map((id) => options.belongs(id).catch(() => false))).then((found) => {
      // Gone meanwhile, or a newer frame came: this one says nothing now.
      if (sequence.get(peerId) !== seq || swarm.authenticated.get().get(peerId) !== peer) return
      opens.set(
        peerId,
        unique.filter((_, i) => found[i] === true),
      )
      publish()
    })
  })
  const frame = (): string => writeOpenFrame(options.mine.get())
  // A peer that just arrived hears what we have open; the others already did.
  const known = new Set<string>()
  const stopPeers = swarm.authenticated.subscribe((peers) => {
    for (const peerId of [...known]) {
      if (peers.has(peerId)) continue
      known.delete(peerId)
      opens.delete(peerId)
      buckets.delete(peerId)
      sequence.delete(peerId)
    }
    for (const peerId of peers.keys()) {
      if (known.has(peerId)) continue
      known.add(peerId)
      if (options.mine.get().length > 0) channel.send(frame(), peerId).catch(() => undefined)
    }
    publish()
  })
  const stopHeard = swarm.peers.subscribe(publish)
  const stopMine = options.mine.subscribe(() => {
    channel.send(frame()).catch(() => undefined)
  })
  for (const peerId of swarm.authenticated.get().keys()) known.add(peerId)
  if (options.mine.get().length > 0) channel.send(frame()).catch(() => undefined)
  publish()
  return {
    here,
    resend: () => {
      if (options.mine.get().length > 0) channel.send(frame()).catch(() => undefined)
    },
    stop: () => {
      stopFrames()
      stopPeers()
      stopHeard()
      stopMine()
    },
  }
}

/** What the leader takes from the tabs (their open notes, by space) and gives them (who is here, by space). */
export interface PresenceLead {
  readonly opened: Observable<ReadonlyMap<string, readonly string[]>>
  publish(here: Readonly<Record<string, readonly DeviceHere[]>>): void
}

/**
 * What we have open is said again this often. A peer believes only ids of objects it holds, and a note made a moment
 * ago (or a whole space being received by a new member) reaches it after our first frame: the next one is believed.
 */
const RESEND_MS = 5_000

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, i) => item === b[i])

/**
 * Follows every room the mesh service is in (its newest generation per space) and tells the tabs who is here.
 * Call it after the service: it reads `service.rooms()` once the service has followed `rooms`.
 */
export const followPresence = (options: {
  readonly service: Pick<MeshService, 'rooms'>
  readonly rooms: Observable<readonly RoomEntry[]>
  readonly lead: PresenceLead
  readonly belongs: (spaceId: SpaceId, objectId: string) => Promise<boolean>
  readonly clock: Clock
  /** Runs `tick` every `ms` until the returned function is called. */
  readonly every: (ms: number, tick: () => void) => () => void
}): (() => void) => {
  const { lead } = options
  const followed = new Map<SpaceRoom, { readonly presence: RoomPresence; readonly stop: () => void }>()
  const publish = (): void => {
    const here: Record<string, readonly DeviceHere[]> = {}
    for (const [room, { presence }] of followed) {
      const list = presence.here.get()
      if (list.length > 0) here[room.spaceId] = list
    }
    lead.publish(here)
  }
  /** The space's part of what the tabs have open, told only when it changes. */
  const mineIn = (spaceId: string): { readonly mine: Observable<readonly string[]>; readonly stop: () => void } => {
    const mine = new Cell<readonly string[]>(lead.opened.get().get(spaceId) ?? [])
    const stop = lead.opened.subscribe((opened) => {
      const next = opened.get(spaceId) ?? []
      if (!sameList(next, mine.get())) mine.set(next)
    })
    return { mine, stop }
  }
  const follow = (): void => {
    const current = new Set(options.service.rooms().values())
    for (const [room, { stop }] of [...followed]) {
      if (current.has(room)) continue
      followed.delete(room)
      stop()
    }
    for (const room of current) {
      if (followed.has(room)) continue
      const mine = mineIn(room.spaceId)
      const presence = followRoomPresence({
        swarm: room.swarm,
        mine: mine.mine,
        belongs: (objectId) => options.belongs(room.spaceId, objectId),
        clock: options.clock,
      })
      const stopHere = presence.here.subscribe(publish)
      followed.set(room, {
        presence,
        stop: () => {
          stopHere()
          presence.stop()
          mine.stop()
        },
      })
    }
    publish()
  }
  follow()
  const stopRooms = options.rooms.subscribe(follow)
  const stopResending = options.every(RESEND_MS, () => {
    for (const { presence } of followed.values()) presence.resend()
  })
  return () => {
    stopResending()
    stopRooms()
    for (const { stop } of followed.values()) stop()
    followed.clear()
    lead.publish({})
  }
}

/** The browser's interval, as an `every` edge. */
export const everyInterval = (ms: number, tick: () => void): (() => void) => {
  const timer = setInterval(tick, ms)
  return () => {
    clearInterval(timer)
  }
}

/** The leader's presence for one mesh run: follows its rooms until the returned stop, then steps down. */
export const leadPresence = (
  presence: { lead(): PresenceLead & { stepDown(): void } } | undefined,
  mesh: {
    readonly service: Pick<MeshService, 'rooms'>
    readonly rooms: Observable<readonly RoomEntry[]>
    readonly space: (spaceId: SpaceId) => Pick<Space, 'get'> | undefined
    readonly clock: Clock
    readonly every?: (ms: number, tick: () => void) => () => void
  },
): (() => void) => {
  if (presence === undefined) return () => undefined
  const lead = presence.lead()
  const stop = followPresence({
    service: mesh.service,
    rooms: mesh.rooms,
    lead,
    belongs: async (spaceId, objectId) => {
      const id = parseObjectId(objectId)
      const space = mesh.space(spaceId)
      return id !== undefined && space !== undefined && (await space.get(id)) !== undefined
    },
    clock: mesh.clock,
    every: mesh.every ?? everyInterval,
  })
  return () => {
    stop()
    lead.stepDown()
  }
}
