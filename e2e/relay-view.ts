/**
 * The relay's view of a recording, as its operator could assemble it: per socket, the handshake headers, the
 * Nostr topics it subscribed to and published on, the event keys and the plaintext peer ids in announcements, and
 * when. Topics are named by the rooms they hash (Trystero: `sha1("Trystero@<app>@<room>")` for a room,
 * `sha1("...@<peer id>")` for a peer in it, each byte in base 36).
 */
import { createHash } from 'node:crypto'
import { headerOf, type DecodedConnection } from './traffic-decode.ts'

export const trysteroTopic = (...parts: string[]): string =>
  Array.from(
    createHash('sha1')
      .update(['Trystero', ...parts].join('@'))
      .digest(),
    (byte) => byte.toString(36),
  ).join('')

export interface SocketView {
  readonly id: number
  readonly remoteAddress: string
  readonly origin: string | undefined
  readonly userAgent: string | undefined
  /** Names of the upgrade request's headers. */
  readonly headers: readonly string[]
  readonly openedAt: number
  readonly lastAt: number
  /** Every topic of every REQ, and when first. */
  readonly subscribed: Map<string, number>
  /** Topics of EVENTs sent, with when each was sent. */
  readonly published: Map<string, number[]>
  /** Nostr keys signing its EVENTs. */
  readonly pubkeys: Set<string>
  /** `peerId` fields in plaintext EVENT contents (Trystero's announcements and signals). */
  readonly peerIds: Set<string>
  /** Field names of EVENT contents, to see what is encrypted and what is not. */
  readonly contentFields: Set<string>
  readonly counts: { req: number; event: number; close: number; other: number }
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** What the relay learns from one WebSocket. */
export const socketView = (connection: DecodedConnection): SocketView => {
  const head = connection.requests[0]?.head ?? ''
  const view: SocketView = {
    id: connection.id,
    remoteAddress: connection.remoteAddress,
    origin: headerOf(head, 'origin'),
    userAgent: headerOf(head, 'user-agent'),
    headers: head
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(':')[0]?.toLowerCase() ?? ''),
    openedAt: connection.requests[0]?.at ?? 0,
    lastAt: connection.messages.at(-1)?.at ?? connection.requests[0]?.at ?? 0,
    subscribed: new Map(),
    published: new Map(),
    pubkeys: new Set(),
    peerIds: new Set(),
    contentFields: new Set(),
    counts: { req: 0, event: 0, close: 0, other: 0 },
  }
  for (const message of connection.messages) {
    if (message.opcode !== 1) continue
    const frame = parse(message.payload.toString('utf8'))
    if (!Array.isArray(frame)) {
      view.counts.other++
      continue
    }
    const [verb, first, second] = frame as unknown[]
    if (verb === 'REQ' && isRecord(second) && Array.isArray(second['#x'])) {
      view.counts.req++
      for (const topic of second['#x'])
        if (typeof topic === 'string' && !view.subscribed.has(topic)) view.subscribed.set(topic, message.at)
    } else if (verb === 'EVENT' && isRecord(first)) {
      view.counts.event++
      const topic = Array.isArray(first.tags)
        ? (first.tags as unknown[][]).find((tag) => tag[0] === 'x')?.[1]
        : undefined
      if (typeof topic === 'string') view.published.set(topic, [...(view.published.get(topic) ?? []), message.at])
      if (typeof first.pubkey === 'string') view.pubkeys.add(first.pubkey)
      const content = typeof first.content === 'string' ? parse(first.content) : undefined
      if (isRecord(content)) {
        for (const field of Object.keys(content)) view.contentFields.add(field)
        if (typeof content.peerId === 'string') view.peerIds.add(content.peerId)
      }
    } else if (verb === 'CLOSE') view.counts.close++
    else view.counts.other++
  }
  return view
}

export interface RoomInfo {
  readonly label: string
  readonly appId: string
  readonly roomId: string
}

export interface DeviceIds {
  /** Its own Trystero ids, one per page load. */
  readonly ownIds: readonly string[]
  /** Every peer id it hashed a topic for (its own and its peers'). */
  readonly selfIds: readonly string[]
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

/** The relay's view summed up in lines to print, and the figures the README quotes. */
export const relayReport = (
  views: readonly SocketView[],
  rooms: readonly RoomInfo[],
  devices: Readonly<Record<string, DeviceIds>>,
) => {
  const roomOf = new Map(rooms.map((room) => [trysteroTopic(room.appId, room.roomId), room.label]))
  const ownerOfPeer = (id: string) => Object.entries(devices).find(([, each]) => each.ownIds.includes(id))?.[0]
  const peerTopic = new Map<string, { room: string; owner: string }>()
  for (const room of rooms) {
    for (const id of new Set(Object.values(devices).flatMap((each) => [...each.selfIds]))) {
      peerTopic.set(trysteroTopic(room.appId, room.roomId, id), { room: room.label, owner: ownerOfPeer(id) ?? '?' })
    }
  }
  const ownerOf = (view: SocketView) => [...view.peerIds].map(ownerOfPeer).find((owner) => owner !== undefined) ?? '?'
  const lines: string[] = []
  const intervals: number[] = []
  for (const view of views) {
    const topics = [...view.subscribed.keys()]
    const joined = topics.flatMap((topic) => roomOf.get(topic) ?? [])
    const own = topics.filter((topic) => peerTopic.get(topic)?.owner === ownerOf(view)).length
    const unknown = topics.filter((topic) => !roomOf.has(topic) && !peerTopic.has(topic)).length
    for (const [topic, times] of view.published) {
      if (roomOf.has(topic)) intervals.push(...times.slice(1).map((at, i) => at - (times[i] ?? at)))
    }
    lines.push(
      `#${String(view.id)} ${ownerOf(view)} from ${view.remoteAddress}, Origin ${view.origin ?? '-'}, open ${String(Math.round((view.lastAt - view.openedAt) / 100) / 10)} s, ` +
        `${String(view.counts.req)} REQ / ${String(view.counts.event)} EVENT / ${String(view.counts.close)} CLOSE, ` +
        `rooms [${joined.join('; ')}], ${String(own)} own peer topics, ${String(unknown)} unknown topics, ` +
        `${String(view.pubkeys.size)} Nostr key, ${String(view.peerIds.size)} plaintext peer id, content fields [${[...view.contentFields].join(', ')}]`,
    )
  }
  for (const room of rooms) {
    const topic = trysteroTopic(room.appId, room.roomId)
    const sockets = views.filter((view) => view.subscribed.has(topic))
    const peers = new Set(
      views.flatMap((view) => [...view.subscribed.keys()].filter((each) => peerTopic.get(each)?.room === room.label)),
    )
    lines.push(
      `room ${room.label}: 1 room topic + ${String(peers.size)} peer topics; subscribed by ${String(sockets.length)} sockets of [${[...new Set(sockets.map(ownerOf))].join(', ')}]`,
    )
  }
  const keyRooms = new Map<string, Set<string>>()
  for (const view of views) {
    for (const key of view.pubkeys) {
      const set = keyRooms.get(key) ?? new Set<string>()
      for (const topic of view.published.keys()) set.add(roomOf.get(topic) ?? peerTopic.get(topic)?.room ?? 'other')
      keyRooms.set(key, set)
    }
  }
  const figures = {
    sockets: views.length,
    nostrKeys: keyRooms.size,
    keysInSeveralRooms: [...keyRooms.values()].filter((set) => set.size > 1).length,
    mostRoomsPerKey: Math.max(0, ...[...keyRooms.values()].map((set) => set.size)),
    keysOfTwoDevices: [...keyRooms.keys()].filter(
      (key) => new Set(views.filter((view) => view.pubkeys.has(key)).map(ownerOf)).size > 1,
    ).length,
    peerIdsPerSocket: Math.max(0, ...views.map((view) => view.peerIds.size)),
    upgradeHeaders: [...new Set(views.flatMap((view) => view.headers))].sort(),
    announceIntervalMs: { min: Math.min(...intervals), median: median(intervals), max: Math.max(...intervals) },
  }
  return { lines, figures }
}
