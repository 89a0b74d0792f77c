import { AddressBudgets } from './address-budget'
import { clientAddress } from './client-address'
import { systemClock, type Clock } from './clock'
import { Connection, isAttachment } from './connection'
import type { Env } from './env'
import { eoseFrame, eventFrame, noticeFrame, okFrame } from './frames'
import { parseLimits, type Limits } from './limits'
import { parseFrame, type Command } from './protocol'
import { describeRefusal, Reason } from './reasons'
import { TokenBucket } from './token-bucket'
import { TopicIndex } from './topic-index'

export interface ShardCounts {
  readonly sockets: number
  readonly subscriptions: number
  readonly topics: number
  /** A fresh id each time the shard object is built, e.g. after it hibernated: tests and operators can see wake-ups. */
  readonly instance: string
}

const utf8 = new TextEncoder()
/** Where frames are encoded to be measured; grown to the largest frame yet, shared by the objects of this isolate. */
let scratch = new Uint8Array(0)

/** The size of a frame in UTF-8, which takes at most 3 bytes per UTF-16 unit. */
const utf8Length = (message: string): number => {
  if (scratch.length < message.length * 3) scratch = new Uint8Array(message.length * 3)
  return utf8.encodeInto(message, scratch).written
}

/**
 * One shard of the relay (one per `/r/<shard>` path): a Durable Object that
 * holds the sockets with the hibernation API and forwards each EVENT to the
 * other sockets subscribed to its topic. It stores nothing.
 */
export class Shard implements DurableObject {
  readonly #ctx: DurableObjectState
  readonly #limits: Limits
  readonly #clock: Clock = systemClock
  readonly #index = new TopicIndex<Connection>()
  readonly #bySocket = new Map<WebSocket, Connection>()
  readonly #byId = new Map<string, Connection>()
  readonly #budgets: AddressBudgets
  readonly #instance = crypto.randomUUID()

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx
    this.#limits = parseLimits(env)
    this.#budgets = new AddressBudgets(
      {
        frames: { capacity: this.#limits.addressRateBurst, refillPerSecond: this.#limits.addressRatePerSecond },
        bytes: { capacity: this.#limits.addressBytesBurst, refillPerSecond: this.#limits.addressBytesPerSecond },
      },
      this.#clock,
    )
    // After hibernation this is a fresh object: the sockets are still open and
    // their attachments say who subscribed to what.
    for (const ws of ctx.getWebSockets()) this.#restore(ws)
  }

  fetch(request: Request): Response {
    if (new URL(request.url).pathname === '/health') return Response.json(this.counts())
    const address = clientAddress(request.headers, this.#limits.behindCloudflareEdge)
    const addressTag = `ip:${address}`
    if (this.#ctx.getWebSockets(addressTag).length >= this.#limits.maxConnectionsPerIp) {
      return new Response(`limit: at most ${this.#limits.maxConnectionsPerIp} connections per address`, {
        status: 429,
      })
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket]
    this.#ctx.acceptWebSocket(server, [addressTag])
    const conn = new Connection(server, crypto.randomUUID(), address, this.#bucket())
    server.serializeAttachment(conn.attachment())
    this.#track(conn)
    return new Response(null, { status: 101, webSocket: client })
  }

  webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const conn = this.#connection(ws)
    const max = this.#limits.maxFrameBytes
    const bytes = typeof message === 'string' ? this.#utf8Length(message) : message.byteLength
    // A frame over the limit is charged as the limit: its refusal should read `limit:`, not `rate-limited:`.
    const cost = Math.min(bytes, max)
    if (typeof message !== 'string') {
      this.#refuse(conn, null, `${Reason.invalid}: binary frames are not part of the protocol`, cost)
    } else if (bytes > max) {
      this.#refuse(conn, null, `${Reason.limit}: frames are at most ${max} bytes`, cost)
    } else {
      const parsed = parseFrame(message, this.#limits.maxTopicsPerSubscription)
      if (parsed.ok) this.#run(conn, parsed.command, cost)
      else this.#refuse(conn, parsed.eventId, describeRefusal(parsed.refusal), cost)
    }
  }

  webSocketClose(ws: WebSocket, code: number, reason: string): void {
    this.#drop(ws)
    // Local workerd does not answer a client's close frame on a hibernatable
    // socket by itself, and the client would wait for the answer until it
    // times out. 1005 and 1006 may not be sent in a frame, so answer 1000.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason)
    } catch {
      // The runtime already answered it.
    }
  }

  webSocketError(ws: WebSocket): void {
    this.#drop(ws)
  }

  /** A frame with more UTF-16 units than the limit has at least that many bytes, and is not encoded. */
  #utf8Length(message: string): number {
    return message.length > this.#limits.maxFrameBytes ? message.length : utf8Length(message)
  }

  counts(): ShardCounts {
    let subscriptions = 0
    for (const conn of this.#byId.values()) subscriptions += conn.subs.size
    return { sockets: this.#byId.size, subscriptions, topics: this.#index.topicCount, instance: this.#instance }
  }

  /** Every frame is charged, so a flood of garbage is bounded like a flood of events. */
  #refuse(conn: Connection, eventId: string | null, notice: string, bytes: number): void {
    const overdrawn = this.#charge(conn, bytes)
    if (overdrawn !== undefined) this.#rateLimited(conn, eventId, overdrawn)
    else conn.send(noticeFrame(notice))
  }

  /**
   * Charges a frame to its socket's bucket and to its address's frame and
   * byte budgets; returns why it may not go ahead, if it may not.
   */
  #charge(conn: Connection, bytes: number): string | undefined {
    const limits = this.#limits
    if (!conn.bucket.take()) return `at most ${limits.ratePerSecond} frames per second on one socket`
    const verdict = this.#budgets.take(conn.address, bytes)
    switch (verdict) {
      case 'ok':
        return undefined
      case 'frames':
        return `at most ${limits.addressRatePerSecond} frames per second from one address`
      case 'bytes':
        return `at most ${limits.addressBytesPerSecond} bytes per second from one address`
    }
  }

  /** Only `rate-limited:` may travel in `OK false`: Trystero backs off on it and keeps the relay. */
  #rateLimited(conn: Connection, eventId: string | null, why: string): void {
    const reason = `${Reason.rateLimited}: ${why}`
    conn.send(eventId === null ? noticeFrame(reason) : okFrame(eventId, false, reason))
  }

  #run(conn: Connection, command: Command, bytes: number): void {
    const overdrawn = this.#charge(conn, bytes)
    if (overdrawn !== undefined) {
      this.#rateLimited(conn, command.verb === 'EVENT' ? command.id : null, overdrawn)
      return
    }
    switch (command.verb) {
      case 'EVENT':
        for (const sub of this.#index.match(command.topic, command.kind)) {
          if (sub.conn !== conn) sub.conn.send(eventFrame(sub.subId, command.raw))
        }
        conn.send(okFrame(command.id, true, ''))
        return
      case 'REQ': {
        const { subId, filter } = command
        const next = new Map(conn.subs)
        const sub = conn.subscription(subId, filter)
        next.set(subId, sub)
        if (next.size > this.#limits.maxSubscriptionsPerSocket) {
          conn.send(noticeFrame(`${Reason.limit}: at most ${this.#limits.maxSubscriptionsPerSocket} subscriptions`))
          return
        }
        if (conn.topicCount(next) > this.#limits.maxTopicsPerSocket) {
          conn.send(noticeFrame(`${Reason.limit}: at most ${this.#limits.maxTopicsPerSocket} topics per socket`))
          return
        }
        try {
          conn.ws.serializeAttachment(conn.attachment(next))
        } catch {
          conn.send(noticeFrame(`${Reason.limit}: subscriptions too large to keep; use fewer or shorter topics`))
          return
        }
        const previous = conn.subs.get(subId)
        if (previous !== undefined) this.#index.remove(previous)
        this.#index.add(sub)
        conn.subs = next
        conn.send(eoseFrame(subId))
        return
      }
      case 'CLOSE': {
        const previous = conn.subs.get(command.subId)
        if (previous === undefined) return
        this.#index.remove(previous)
        conn.subs.delete(command.subId)
        conn.ws.serializeAttachment(conn.attachment())
        return
      }
    }
  }

  #bucket(): TokenBucket {
    return new TokenBucket(
      { capacity: this.#limits.rateBurst, refillPerSecond: this.#limits.ratePerSecond },
      this.#clock,
    )
  }

  #track(conn: Connection): void {
    this.#bySocket.set(conn.ws, conn)
    this.#byId.set(conn.id, conn)
    this.#budgets.join(conn.address)
  }

  /**
   * Rebuilds a connection and its index entries from the socket attachment.
   * The token buckets (the socket's and its address's) start full: a shard
   * only hibernates after its sockets have been quiet for longer than a
   * bucket takes to refill.
   */
  #restore(ws: WebSocket): void {
    const attachment: unknown = ws.deserializeAttachment()
    // Every socket gets an attachment when it is accepted; one in another shape would come from an older version.
    if (!isAttachment(attachment)) {
      ws.close(1011, 'relay restarted; reconnect')
      return
    }
    const conn = new Connection(ws, attachment.id, attachment.address, this.#bucket())
    for (const [subId, topics, kinds] of attachment.subs) {
      const sub = conn.subscription(subId, { topics, kinds })
      conn.subs.set(subId, sub)
      this.#index.add(sub)
    }
    this.#track(conn)
  }

  #connection(ws: WebSocket): Connection {
    const conn = this.#bySocket.get(ws)
    // The runtime hands each socket to its handlers as the object accepted or restored here.
    if (conn === undefined) throw new Error('a socket this shard does not know')
    return conn
  }

  #drop(ws: WebSocket): void {
    const conn = this.#bySocket.get(ws)
    if (conn === undefined) return
    for (const sub of conn.subs.values()) this.#index.remove(sub)
    this.#bySocket.delete(ws)
    this.#byId.delete(conn.id)
    this.#budgets.leave(conn.address)
  }
}
