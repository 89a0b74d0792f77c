import type { Clock } from './clock'

export interface BucketConfig {
  /** Tokens the bucket holds when full: the largest burst allowed. */
  readonly capacity: number
  /** Tokens added per second. */
  readonly refillPerSecond: number
}

/**
 * A token bucket: each frame (or byte) takes one token; tokens come back at a
 * steady rate up to `capacity`. It counts in thousandths of a token so that whole
 * milliseconds refill exactly, with no floating-point drift.
 */
export class TokenBucket {
  readonly #capacity: number
  readonly #refillPerSecond: number
  readonly #clock: Clock
  #milliTokens: number
  #updatedAt: number

  constructor(config: BucketConfig, clock: Clock) {
    this.#capacity = config.capacity * 1000
    this.#refillPerSecond = config.refillPerSecond
    this.#clock = clock
    this.#milliTokens = this.#capacity
    this.#updatedAt = clock.now()
  }

  /** Takes `count` tokens if there are that many (none otherwise); returns whether it did. */
  take(count = 1): boolean {
    this.#refill()
    if (this.#milliTokens < count * 1000) return false
    this.#milliTokens -= count * 1000
    return true
  }

  /** Whether the bucket is back to its capacity, so forgetting it gives nobody anything. */
  isFull(): boolean {
    this.#refill()
    return this.#milliTokens >= this.#capacity
  }

  /** Whole tokens available now. */
  available(): number {
    this.#refill()
    return Math.floor(this.#milliTokens / 1000)
  }

  #refill(): void {
    const now = this.#clock.now()
    // A clock that steps back (NTP) must not drain or overfill the bucket.
    const elapsed = Math.max(0, now - this.#updatedAt)
    this.#updatedAt = now
    this.#milliTokens = Math.min(this.#capacity, this.#milliTokens + elapsed * this.#refillPerSecond)
  }
}
