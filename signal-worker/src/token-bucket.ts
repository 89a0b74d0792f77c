import type { Clock } from './clock'

export interface BucketConfig {
  /** Tokens the bucket holds when full: the largest burst allowed. */
  readonly capacity: number
  /** Tokens added per second. */
  readonly refillPerSecond: number
}

/** A token bucket: each frame takes one token; tokens come back at a steady rate up to `capacity`. */
export class TokenBucket {
  readonly #config: BucketConfig
  readonly #clock: Clock
  #tokens: number
  #updatedAt: number

  constructor(config: BucketConfig, clock: Clock) {
    this.#config = config
    this.#clock = clock
    this.#tokens = config.capacity
    this.#updatedAt = clock.now()
  }

  /** Takes one token if there is one; returns whether it did. */
  take(): boolean {
    this.#refill()
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  /** Whole tokens available now. */
  available(): number {
    this.#refill()
    return Math.floor(this.#tokens)
  }

  #refill(): void {
    const now = this.#clock.now()
    // A clock that steps back (NTP) must not drain or overfill the bucket.
    const elapsed = Math.max(0, now - this.#updatedAt)
    this.#updatedAt = now
    this.#tokens = Math.min(this.#config.capacity, this.#tokens + (elapsed * this.#config.refillPerSecond) / 1000)
  }
}
