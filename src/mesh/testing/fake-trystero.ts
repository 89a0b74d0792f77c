// Tests only: an in-memory Trystero, enough of its `Room` for `joinSwarm`, for Node tests of clients.
import type { joinRoom, JoinRoomCallbacks, JoinRoomConfig, MessageActionConfig, Room } from 'trystero'

type Handler = (data: unknown, context: { peerId: string }) => void

/** One delivery the network counted: `bytes` of payload from `from` to `to` on `action`. */
export interface Delivery {
  readonly appId: string
  readonly roomId: string
  readonly from: string
  readonly to: string
  readonly action: string
  readonly bytes: number
}

const sizeOf = (data: unknown): number =>
  data instanceof Uint8Array
    ? data.byteLength
    : new TextEncoder().encode(typeof data === 'string' ? data : JSON.stringify(data)).byteLength

/** What a receiver gets: binary data as a fresh Uint8Array (as over a data channel), the rest as is. */
const copyOf = (data: unknown): unknown => (data instanceof Uint8Array ? new Uint8Array(data) : data)

/** The part of an RTCPeerConnection the swarm reads. */
interface FakeConnection {
  readonly localDescription: { readonly sdp: string }
  readonly remoteDescription: { readonly sdp: string } | null
  close(): void
}

/** A DTLS certificate fingerprint per page, from its id (SHA-256 length, colon-separated hex). */
const fingerprintFor = (selfId: string): string =>
  `sha-256 ${Array.from({ length: 32 }, (_, i) => ((selfId.charCodeAt(i % selfId.length) * 7 + i) & 0xff).toString(16).padStart(2, '0').toUpperCase()).join(':')}`

const sdpWith = (fingerprint: string): string => `v=0\r\na=setup:actpass\r\na=fingerprint:${fingerprint}\r\n`

/** One direction of a pending connection's handshake frames. */
class Inbox {
  readonly #items: unknown[] = []
  readonly #waiting: ((frame: { data: never }) => void)[] = []

  push(data: unknown): void {
    const waiter = this.#waiting.shift()
    if (waiter === undefined) this.#items.push(data)
    else waiter({ data: data as never })
  }

  receive = (): Promise<{ data: never }> =>
    this.#items.length > 0
      ? Promise.resolve({ data: this.#items.shift() as never })
      : new Promise((resolve) => this.#waiting.push(resolve))
}

/**
 * Rooms keyed by (appId, roomId) that reach each other in memory. A page has one selfId shared by all its
 * rooms (as Trystero's is per page); a connection is made only when both handshakes resolve, and only then
 * does either side hear `onPeerJoin`; closing a connection tells both sides `onPeerLeave`.
 */
export class FakeTrystero {
  readonly configs: JoinRoomConfig[] = []
  readonly callbacks: JoinRoomCallbacks[] = []
  readonly deliveries: Delivery[] = []
  readonly #rooms = new Map<string, Map<string, FakeRoom>>()
  #next = 0
  #down = false
  readonly #reconnect: boolean
  #missed = 0
  /** Pairs of pages (`a\0b`, sorted): how many of their next meetings fail silently. */
  readonly #missedPairs = new Map<string, number>()
  /** Frames held back per direction (`from\0to`), delivered in order on release. */
  readonly #held = new Map<string, (() => void)[]>()

  /** With `reconnect`, peers whose connection closed meet again (as Trystero's next announce brings them). */
  constructor(options: { reconnect?: boolean } = {}) {
    this.#reconnect = options.reconnect ?? false
  }

  /** Certificates seen in place of the remote's, per connection end (`self\0remote`): a party in between. */
  readonly #seenAs = new Map<string, string>()

  /**
   * A party in between: `page`'s connection to `remoteId` ends at a stranger's certificate, as when someone who
   * knows the room password swapped the SDP and relays the handshake (the remote's own end is untouched).
   */
  interpose(page: FakePage, remoteId: string): void {
    this.#seenAs.set(`${page.selfId}\0${remoteId}`, fingerprintFor(`stranger-${remoteId}`))
  }

  /** Remote descriptions written in place of the remote's, per connection end (`self\0remote`); null: none. */
  readonly #remoteSdp = new Map<string, string | null>()

  /**
   * `page`'s connection to `remoteId` holds `sdp` as its remote description (null: none yet), as when a party in
   * between wrote it: several `a=fingerprint` lines, or one the binding cannot read.
   */
  writeRemoteSdp(page: FakePage, remoteId: string, sdp: string | null): void {
    this.#remoteSdp.set(`${page.selfId}\0${remoteId}`, sdp)
  }

  /** The remote description `self` holds for its connection to `remote`: the remote's certificate, or a stranger's. */
  remoteDescription(self: string, remote: string): { readonly sdp: string } | null {
    const key = `${self}\0${remote}`
    const written = this.#remoteSdp.get(key)
    if (written !== undefined) return written === null ? null : { sdp: written }
    return { sdp: sdpWith(this.#seenAs.get(key) ?? fingerprintFor(remote)) }
  }

  /** The next `count` meetings fail silently (a lost announce, a handshake timed out): nobody is told. */
  missMeetings(count: number): void {
    this.#missed += count
  }

  /** The next `count` meetings of pages `a` and `b` (selfIds) fail silently; their meetings with others go on. */
  missMeeting(a: string, b: string, count = 1): void {
    const pair = [a, b].sort().join('\u0000')
    this.#missedPairs.set(pair, (this.#missedPairs.get(pair) ?? 0) + count)
  }

  /** After a closed connection: the two rooms meet again if both are still there and `reconnect` is on. */
  closed(a: FakeRoom, b: FakeRoom): void {
    if (!this.#reconnect || a.gone || b.gone) return
    setTimeout(() => {
      if (!a.gone && !b.gone && !a.linked.has(b.selfId)) void this.#meet(a, b)
    }, 0)
  }

  /**
   * The relay and every route down (`true`): open connections close and no room meets another (each device
   * works offline); `false` brings them back and the rooms' members meet again.
   */
  setDown(down: boolean): void {
    this.#down = down
    for (const members of this.#rooms.values()) {
      const rooms = [...members.values()]
      for (const [at, a] of rooms.entries()) {
        for (const b of rooms.slice(at + 1)) {
          if (down) a.disconnect(b)
          else if (!a.gone && !b.gone && !a.linked.has(b.selfId)) void this.#meet(a, b)
        }
      }
    }
  }

  /** Frames from page `from` to page `to` (selfIds) wait, in every room, until `release`; the other way flows. */
  hold(from: string, to: string): void {
    const key = `${from}\u0000${to}`
    this.#held.set(key, this.#held.get(key) ?? [])
  }

  /** Delivers what `hold` kept back, in order, and lets that direction flow again. */
  release(from: string, to: string): void {
    const key = `${from}\u0000${to}`
    const held = this.#held.get(key) ?? []
    this.#held.delete(key)
    for (const deliver of held) deliver()
  }

  /** Runs `deliver` now, or keeps it for `release` while that direction is held. */
  deliver(from: string, to: string, deliver: () => void): void {
    const held = this.#held.get(`${from}\u0000${to}`)
    if (held === undefined) deliver()
    else held.push(deliver)
  }

  /** A page: its selfId, its `joinRoom`, and `crash` (closed without leaving: nobody is told). */
  page(selfId = `peer-${this.#next++}`): FakePage {
    return new FakePage(this, selfId)
  }

  /** Bytes delivered, summed over the deliveries that match every given field. */
  bytes(filter: Partial<Omit<Delivery, 'bytes'>> = {}): number {
    return this.deliveries
      .filter((d) => Object.entries(filter).every(([key, value]) => d[key as keyof Delivery] === value))
      .reduce((sum, d) => sum + d.bytes, 0)
  }

  join(page: FakePage, config: JoinRoomConfig, roomId: string, callbacks: JoinRoomCallbacks): FakeRoom {
    this.configs.push(config)
    this.callbacks.push(callbacks)
    const key = `${config.appId}\u0000${roomId}`
    const members = this.#rooms.get(key) ?? new Map<string, FakeRoom>()
    this.#rooms.set(key, members)
    members.get(page.selfId)?.drop()
    const room = new FakeRoom(this, page, config.appId, roomId, config.password, callbacks)
    for (const other of members.values()) {
      queueMicrotask(() => {
        void this.#meet(other, room)
      })
    }
    members.set(page.selfId, room)
    return room
  }

  remove(room: FakeRoom): void {
    const members = this.#rooms.get(`${room.appId}\u0000${room.roomId}`)
    if (members?.get(room.selfId) === room) members.delete(room.selfId)
  }

  roomsOf(page: FakePage): FakeRoom[] {
    return [...this.#rooms.values()].flatMap((members) => {
      const room = members.get(page.selfId)
      return room?.page === page ? [room] : []
    })
  }

  /**
   * Trystero's "peer replaced": a new connection between two pages (by selfId) in every room they share, which
   * handshakes again; neither side hears onPeerLeave for the old one.
   */
  replace(a: string, b: string): void {
    for (const members of this.#rooms.values()) {
      const [roomA, roomB] = [members.get(a), members.get(b)]
      if (roomA === undefined || roomB === undefined) continue
      roomA.linked.delete(b)
      roomB.linked.delete(a)
      void this.#meet(roomA, roomB)
    }
  }

  /**
   * One side forgets the other and the other is not told, as when one side's handshake failed (its timeout, under
   * load) just after the other's passed: `page`'s rooms drop `remoteId` (their onPeerLeave runs), `remoteId` keeps
   * them as joined. Then, as Trystero binds their shared connection to the room again at its next announce, they
   * meet again, and the side still holding the other ignores that handshake (see `#meet`).
   */
  forget(page: FakePage, remoteId: string): void {
    for (const room of this.roomsOf(page)) {
      const remote = room.linked.get(remoteId)
      if (remote === undefined) continue
      room.linked.delete(remoteId)
      room.onPeerLeave?.(remoteId)
      queueMicrotask(() => {
        void this.#meet(room, remote)
      })
    }
  }

  /**
   * As Trystero: a side that holds the other as joined ignores a new handshake from it (its handshake frames go to a
   * peer already active), so the other side's handshake fails when its timeout ends.
   */
  #ignoredBy(holder: FakeRoom, other: FakeRoom): boolean {
    if (!holder.linked.has(other.selfId) || other.linked.has(holder.selfId)) return false
    setTimeout(() => {
      other.callbacks.onJoinError?.({
        error: 'handshake timed out',
        appId: other.appId,
        roomId: other.roomId,
        peerId: holder.selfId,
      })
    }, other.callbacks.handshakeTimeoutMs ?? 15_000)
    return true
  }

  /** As Trystero: both predicates run over a pending connection; only when both resolve do the peers join. */
  #isDown(): boolean {
    return this.#down
  }

  async #meet(a: FakeRoom, b: FakeRoom): Promise<void> {
    if (this.#isDown()) return
    if (this.#missed > 0) {
      this.#missed--
      return
    }
    const pair = [a.selfId, b.selfId].sort().join('\u0000')
    const misses = this.#missedPairs.get(pair) ?? 0
    if (misses > 0) {
      this.#missedPairs.set(pair, misses - 1)
      return
    }
    if (this.#ignoredBy(a, b) || this.#ignoredBy(b, a)) return
    if (a.password !== b.password) {
      a.callbacks.onJoinError?.({ error: 'password', appId: a.appId, roomId: a.roomId, peerId: b.selfId })
      b.callbacks.onJoinError?.({ error: 'password', appId: b.appId, roomId: b.roomId, peerId: a.selfId })
      return
    }
    const [toA, toB] = [new Inbox(), new Inbox()]
    const run = async (self: FakeRoom, remote: FakeRoom, inbox: Inbox, outbox: Inbox): Promise<boolean> => {
      const predicate = self.callbacks.onPeerHandshake
      if (predicate === undefined) return true
      try {
        await predicate(
          remote.selfId,
          (data) => {
            outbox.push(data)
            return Promise.resolve()
          },
          inbox.receive,
          self.selfId < remote.selfId,
        )
        return true
      } catch (error) {
        self.callbacks.onJoinError?.({
          error: String(error),
          appId: self.appId,
          roomId: self.roomId,
          peerId: remote.selfId,
        })
        return false
      }
    }
    const [aPassed, bPassed] = await Promise.all([run(a, b, toA, toB), run(b, a, toB, toA)])
    // setDown(true) may have come while the handshakes ran (a call: the check above narrowed the field).
    if (!aPassed || !bPassed || a.gone || b.gone || this.#isDown()) return
    a.linked.set(b.selfId, b)
    b.linked.set(a.selfId, a)
    a.onPeerJoin?.(b.selfId)
    b.onPeerJoin?.(a.selfId)
  }
}

export class FakePage {
  readonly network: FakeTrystero
  readonly selfId: string

  constructor(network: FakeTrystero, selfId: string) {
    this.network = network
    this.selfId = selfId
  }

  join: typeof joinRoom = (config, roomId, callbacks = {}) =>
    this.network.join(this, config, roomId, callbacks) as unknown as Room

  /** The page closed without leaving: its rooms neither send nor receive again, and nobody is told. */
  crash(): void {
    for (const room of this.network.roomsOf(this)) room.drop()
  }
}

export class FakeRoom {
  onPeerJoin: ((peerId: string) => void) | null = null
  onPeerLeave: ((peerId: string) => void) | null = null
  readonly linked = new Map<string, FakeRoom>()
  gone = false
  readonly #handlers = new Map<string, Handler>()
  readonly #network: FakeTrystero

  readonly page: FakePage
  readonly appId: string
  readonly roomId: string
  readonly password: string | undefined
  readonly callbacks: JoinRoomCallbacks

  constructor(
    network: FakeTrystero,
    page: FakePage,
    appId: string,
    roomId: string,
    password: string | undefined,
    callbacks: JoinRoomCallbacks,
  ) {
    this.#network = network
    this.page = page
    this.appId = appId
    this.roomId = roomId
    this.password = password
    this.callbacks = callbacks
  }

  get selfId(): string {
    return this.page.selfId
  }

  /**
   * Each peer's connection; `close()` disconnects both sides, as closing an RTCPeerConnection does. Its local and
   * remote descriptions carry `a=fingerprint` lines, each page's certificate (or a stranger's, see `interpose`
   * and `writeRemoteSdp`).
   */
  getPeers(): Record<string, FakeConnection> {
    const peers: Record<string, FakeConnection> = {}
    for (const [id, other] of this.linked) {
      peers[id] = {
        localDescription: { sdp: sdpWith(fingerprintFor(this.selfId)) },
        remoteDescription: this.#network.remoteDescription(this.selfId, id),
        close: () => {
          this.disconnect(other)
        },
      }
    }
    return peers
  }

  /** Both sides lose each other, also where one had forgotten the other already (`FakeTrystero.forget`). */
  disconnect(other: FakeRoom): void {
    const ours = this.linked.delete(other.selfId)
    const theirs = other.linked.delete(this.selfId)
    if (!ours && !theirs) return
    if (ours) this.onPeerLeave?.(other.selfId)
    if (theirs) other.onPeerLeave?.(this.selfId)
    this.#network.closed(this, other)
  }

  makeAction(name: string, config: MessageActionConfig<never> = {}) {
    const onMessage = config.onMessage as Handler | undefined
    if (onMessage !== undefined) this.#handlers.set(name, onMessage)
    return {
      send: (data: unknown, options: { target?: string | string[] | null } = {}) => {
        if (this.gone) return Promise.resolve()
        const target = options.target
        for (const [id, other] of [...this.linked]) {
          const wanted = target === null || target === undefined || target === id || target.includes(id)
          if (!wanted || other.gone) continue
          const copy = copyOf(data)
          // After the sender's turn, as a data channel delivers: never inside the sender's own call.
          this.#network.deliver(this.selfId, id, () => {
            queueMicrotask(() => {
              // Held frames of a connection closed meanwhile are lost, as a closed data channel's are.
              if (other.gone || this.linked.get(id) !== other) return
              this.#network.deliveries.push({
                appId: this.appId,
                roomId: this.roomId,
                from: this.selfId,
                to: id,
                action: name,
                bytes: sizeOf(data),
              })
              other.receive(this.selfId, name, copy)
            })
          })
        }
        return Promise.resolve()
      },
    }
  }

  receive(from: string, name: string, data: unknown): void {
    this.#handlers.get(name)?.(data, { peerId: from })
  }

  /** Gone without a word (a crash), or before leaving. */
  drop(): void {
    this.gone = true
    this.#network.remove(this)
  }

  leave(): Promise<void> {
    this.drop()
    for (const other of [...this.linked.values()]) {
      this.linked.delete(other.selfId)
      other.linked.delete(this.selfId)
      other.onPeerLeave?.(this.selfId)
    }
    return Promise.resolve()
  }
}
