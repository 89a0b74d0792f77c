import type { Clock } from '../base'

/**
 * How many channel frames an authenticated peer may send: `burst` at once, `perSecond` sustained. Beyond, frames
 * are dropped; a peer with `cutAfterDrops` drops on one connection is cut off. Sized from honest traffic in
 * src/mesh/CONTEXT.md ("Rate limit").
 */
export interface RateLimit {
  readonly perSecond: number
  readonly burst: number
  readonly cutAfterDrops: number
}

/**
 * A first sync sends 2 frames per document each way, and a peer with every document loaded sends one per document
 * at once (measured with 2,000 documents: 4,002 frames each way, 2,000 within 100 ms): 40,000 holds a
 * 10,000-document first sync arriving in one instant twice over. Typing sends at most 10 frames a second per
 * document (automerge-repo's 100 ms throttle; 5 notes typed at 100 keys/s: at most 30 frames a second).
 */
export const PEER_RATE_LIMIT: RateLimit = { perSecond: 2_000, burst: 40_000, cutAfterDrops: 2_000 }

/** `pass`: hand the frame on; `drop`: over the limit, counted; `cut`: this drop was one too many, close the peer. */
export type RateVerdict = 'pass' | 'drop' | 'cut'

interface Bucket {
  tokens: number
  at: number
  dropped: number
}

/** A token bucket per peer; a peer's bucket starts full and lives as long as its connection. */
export class PeerRate {
  readonly #limit: RateLimit
  readonly #clock: Clock
  readonly #buckets = new Map<string, Bucket>()

  constructor(limit: RateLimit, clock: Clock) {
    this.#limit = limit
    this.#clock = clock
  }

  take(peerId: string): RateVerdict {
    const now = this.#clock.now()
    const bucket = this.#buckets.get(peerId) ?? { tokens: this.#limit.burst, at: now, dropped: 0 }
    this.#buckets.set(peerId, bucket)
    // A clock that went back refills nothing.
    const elapsed = Math.max(0, now - bucket.at)
    bucket.tokens = Math.min(this.#limit.burst, bucket.tokens + (elapsed * this.#limit.perSecond) / 1_000)
    bucket.at = now
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 'pass'
    }
    bucket.dropped += 1
    return bucket.dropped === this.#limit.cutAfterDrops ? 'cut' : 'drop'
  }

  /** A new connection under this id (or none): it starts with a full bucket. */
  forget(peerId: string): void {
    this.#buckets.delete(peerId)
  }
}
