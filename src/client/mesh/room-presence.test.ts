import { describe, expect, it } from 'vitest'
import { Cell } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import type { AuthenticatedPeer } from '../../mesh'
import { followPresence, followRoomPresence, type DeviceHere } from './room-presence'
import type { SpaceRoom } from './space-room'
import type { SpaceId } from '../../echo'

const NOTE = 'a'.repeat(32)
const OTHER_NOTE = 'b'.repeat(32)
const FOREIGN = 'f'.repeat(32)

const peer = (peerId: string, identity: string | null): AuthenticatedPeer => ({
  peerId,
  repo: `cp1.${peerId}`,
  storage: null,
  identity: identity as never,
  device: peerId.padEnd(64, '0') as never,
  chain: undefined,
  transcript: new Uint8Array(),
  invited: false,
})

/** A swarm reduced to what presence reads: its authenticated peers, who is heard, and one channel. */
const fakeRoom = () => {
  const authenticated = new Cell<ReadonlyMap<string, AuthenticatedPeer>>(new Map())
  const peers = new Cell<ReadonlySet<string>>(new Set())
  const listeners = new Set<(data: string, peerId: string) => void>()
  const sent: { data: string; target: string | readonly string[] | undefined }[] = []
  const swarm = {
    authenticated,
    peers,
    channel: <T>() => ({
      send: (data: T, target?: string | readonly string[]) => {
        sent.push({ data: data as string, target })
        return Promise.resolve()
      },
      subscribe: (listener: (data: T, peerId: string) => void) => {
        const each = listener as (data: string, peerId: string) => void
        listeners.add(each)
        return () => listeners.delete(each)
      },
    }),
  }
  const join = (one: AuthenticatedPeer): void => {
    authenticated.set(new Map([...authenticated.get(), [one.peerId, one]]))
    peers.set(new Set([...peers.get(), one.peerId]))
  }
  const receive = (from: string, data: unknown): void => {
    for (const listener of [...listeners]) listener(data as string, from)
  }
  return { swarm, join, receive, sent, authenticated, peers }
}

const setUp = () => {
  const room = fakeRoom()
  const clock = new ManualClock()
  const mine = new Cell<readonly string[]>([])
  const asked: string[] = []
  const presence = followRoomPresence({
    swarm: room.swarm,
    mine,
    belongs: (id) => {
      asked.push(id)
      return Promise.resolve(id !== FOREIGN)
    },
    clock,
  })
  return { room, clock, mine, asked, presence }
}

const frame = (open: readonly string[]) => JSON.stringify({ v: 1, open })
const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve))

describe('followRoomPresence', () => {
  it('shows an authenticated, heard device with the objects of this space it says it has open', async () => {
    const { room, presence, asked } = setUp()
    room.join(peer('p1', 'i'.repeat(64)))
    expect(presence.here.get()).toEqual([{ identity: 'i'.repeat(64), device: 'p1'.padEnd(64, '0'), open: [] }])
    room.receive('p1', frame([NOTE, FOREIGN, NOTE]))
    await settle()
    await settle()
    expect(asked).toEqual([NOTE, FOREIGN])
    expect(presence.here.get()[0]?.open).toEqual([NOTE])
  })

  it('never reads a frame that is too big, malformed, from a peer not authenticated, or past the rate', () => {
    const { room, presence, asked, clock } = setUp()
    room.join(peer('p1', 'i'.repeat(64)))
    room.receive('p1', JSON.stringify({ v: 1, open: [NOTE], pad: 'x'.repeat(2_000) }))
    room.receive('p1', JSON.stringify({ v: 1, open: [NOTE], extra: 1 }))
    room.receive('p1', JSON.stringify({ v: 2, open: [NOTE] }))
    room.receive('p1', frame(Array.from({ length: 9 }, (_, i) => String(i).repeat(32))))
    room.receive('p1', frame(['NOT-HEX'.padEnd(32, 'x')]))
    room.receive('p1', new Uint8Array([123]))
    room.receive('stranger', frame([NOTE]))
    expect(asked).toEqual([])
    // 8 at once (six spent on the junk above), then 2 a second: the rest is dropped unread.
    for (let i = 0; i < 10; i++) room.receive('p1', frame([NOTE]))
    expect(asked).toHaveLength(2)
    clock.advance(1_000)
    for (let i = 0; i < 5; i++) room.receive('p1', frame([OTHER_NOTE]))
    expect(asked).toHaveLength(4)
    expect(presence.here.get()).toHaveLength(1)
  })

  it('forgets a device whose connection closed or whose heartbeat fell silent', async () => {
    const { room, presence } = setUp()
    room.join(peer('p1', 'i'.repeat(64)))
    room.join(peer('p2', 'j'.repeat(64)))
    room.receive('p1', frame([NOTE]))
    await settle()
    await settle()
    room.peers.set(new Set(['p1']))
    expect(presence.here.get().map((one) => one.identity)).toEqual(['i'.repeat(64)])
    room.authenticated.set(new Map())
    expect(presence.here.get()).toEqual([])
    // Back on a new connection: what it had open before is not carried over.
    room.join(peer('p1', 'i'.repeat(64)))
    expect(presence.here.get()[0]?.open).toEqual([])
  })

  it('tells every peer what we have open when it changes, and a newcomer at once', () => {
    const { room, mine } = setUp()
    room.join(peer('p1', 'i'.repeat(64)))
    expect(room.sent).toEqual([])
    mine.set([NOTE])
    expect(room.sent).toEqual([{ data: frame([NOTE]), target: undefined }])
    room.join(peer('p2', 'j'.repeat(64)))
    expect(room.sent[1]).toEqual({ data: frame([NOTE]), target: 'p2' })
  })
})

describe('followPresence', () => {
  it('follows each room, says again what we have open on every beat, and a note that arrives later is believed then', async () => {
    const room = fakeRoom()
    const spaceId = 'ab'.repeat(32) as SpaceId
    const spaceRoom = { spaceId, generation: 1, swarm: room.swarm } as unknown as SpaceRoom
    const rooms = new Cell<readonly never[]>([])
    const opened = new Cell<ReadonlyMap<string, readonly string[]>>(new Map())
    const published: Record<string, readonly DeviceHere[]>[] = []
    const ticks: (() => void)[] = []
    // The note is not here yet when the first frame comes; it is once the space has synced.
    let synced = false
    const stop = followPresence({
      service: { rooms: () => new Map([[spaceId, spaceRoom]]) },
      rooms,
      lead: { opened, publish: (here) => published.push({ ...here }) },
      belongs: () => Promise.resolve(synced),
      clock: new ManualClock(),
      every: (_ms, tick) => {
        ticks.push(tick)
        return () => undefined
      },
    })
    room.join(peer('p1', 'i'.repeat(64)))
    expect(published.at(-1)?.[spaceId]).toHaveLength(1)
    opened.set(new Map([[spaceId, [NOTE]]]))
    opened.set(new Map([[spaceId, [NOTE]]]))
    expect(room.sent).toEqual([{ data: frame([NOTE]), target: undefined }])
    for (const tick of ticks) tick()
    expect(room.sent).toHaveLength(2)
    room.receive('p1', frame([NOTE]))
    await settle()
    await settle()
    expect(published.at(-1)?.[spaceId]?.[0]?.open).toEqual([])
    synced = true
    room.receive('p1', frame([NOTE]))
    await settle()
    await settle()
    expect(published.at(-1)?.[spaceId]?.[0]?.open).toEqual([NOTE])
    stop()
    expect(published.at(-1)).toEqual({})
  })
})
