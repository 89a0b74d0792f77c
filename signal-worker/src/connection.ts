import type { Filter } from './protocol'
import type { TokenBucket } from './token-bucket'
import type { Subscription } from './topic-index'

/**
 * What survives hibernation for one socket, stored with
 * `serializeAttachment` (at most 16 KiB). The topic index is rebuilt from
 * these when the Durable Object wakes up.
 */
export interface Attachment {
  readonly v: 2
  readonly id: string
  /** What the socket counts as for per-address limits (`client-address.ts`): an IPv4 address, an IPv6 /64, or `local`. */
  readonly address: string
  readonly subs: readonly (readonly [subId: string, topics: readonly string[], kinds: readonly number[] | null])[]
}

export const isAttachment = (value: unknown): value is Attachment =>
  typeof value === 'object' && value !== null && 'v' in value && value.v === 2

/** One open socket and its subscriptions. */
export class Connection {
  readonly ws: WebSocket
  readonly id: string
  readonly address: string
  readonly bucket: TokenBucket
  subs = new Map<string, Subscription<Connection>>()

  constructor(ws: WebSocket, id: string, address: string, bucket: TokenBucket) {
    this.ws = ws
    this.id = id
    this.address = address
    this.bucket = bucket
  }

  topicCount(subs: ReadonlyMap<string, Subscription<Connection>> = this.subs): number {
    let count = 0
    for (const sub of subs.values()) count += sub.topics.length
    return count
  }

  subscription(subId: string, filter: Filter): Subscription<Connection> {
    return { conn: this, subId, topics: filter.topics, kinds: filter.kinds === null ? null : new Set(filter.kinds) }
  }

  attachment(subs: ReadonlyMap<string, Subscription<Connection>> = this.subs): Attachment {
    return {
      v: 2,
      id: this.id,
      address: this.address,
      subs: [...subs.values()].map((sub) => [sub.subId, sub.topics, sub.kinds === null ? null : [...sub.kinds]]),
    }
  }

  /** Sends a frame; a socket that is already closing is skipped, its close event cleans it up. */
  send(frame: string): void {
    try {
      this.ws.send(frame)
    } catch {
      // Closing or closed: nothing to deliver to, and no reason to disturb the others.
    }
  }
}
