import type { Clock } from './clock'
import { TokenBucket, type BucketConfig } from './token-bucket'

export interface AddressBudgetConfig {
  readonly frames: BucketConfig
  readonly bytes: BucketConfig
}

/** What `take` decided: the frame may go ahead, or which budget of its address it would overdraw. */
export type BudgetVerdict = 'ok' | 'frames' | 'bytes'

interface Budget {
  sockets: number
  readonly frames: TokenBucket
  readonly bytes: TokenBucket
}

/**
 * One frame budget and one byte budget per address, shared by all of that
 * address's sockets on this shard, so opening more sockets buys no more
 * throughput. An address is forgotten once it has no sockets and its buckets
 * are full again, so closing every socket and reconnecting does not refill
 * them early.
 */
export class AddressBudgets {
  readonly #config: AddressBudgetConfig
  readonly #clock: Clock
  readonly #budgets = new Map<string, Budget>()
  /** Addresses without sockets whose buckets were still refilling when their last socket left. */
  readonly #idle = new Set<string>()

  constructor(config: AddressBudgetConfig, clock: Clock) {
    this.#config = config
    this.#clock = clock
  }

  /** A socket of `address` opened (or was restored after hibernation). */
  join(address: string): void {
    this.#sweep()
    const budget = this.#budgets.get(address) ?? this.#fresh(address)
    budget.sockets += 1
    this.#idle.delete(address)
  }

  /** A socket of `address` closed. */
  leave(address: string): void {
    const budget = this.#budgets.get(address)
    if (budget === undefined) return
    budget.sockets = Math.max(0, budget.sockets - 1)
    if (budget.sockets > 0) return
    if (budget.frames.isFull() && budget.bytes.isFull()) this.#budgets.delete(address)
    else this.#idle.add(address)
  }

  /** Charges one frame of `bytes` to `address`; takes nothing when either budget cannot cover it. */
  take(address: string, bytes: number): BudgetVerdict {
    let budget = this.#budgets.get(address)
    if (budget === undefined) {
      // Every socket joins before it sends; should one not have, its entry is still forgotten once refilled.
      budget = this.#fresh(address)
      this.#idle.add(address)
    }
    if (budget.bytes.available() < bytes) return 'bytes'
    if (!budget.frames.take()) return 'frames'
    budget.bytes.take(bytes)
    return 'ok'
  }

  /** Addresses held in memory: for tests, and to show the bound. */
  get size(): number {
    return this.#budgets.size
  }

  #fresh(address: string): Budget {
    const budget = {
      sockets: 0,
      frames: new TokenBucket(this.#config.frames, this.#clock),
      bytes: new TokenBucket(this.#config.bytes, this.#clock),
    }
    this.#budgets.set(address, budget)
    return budget
  }

  /** Forgets idle addresses whose buckets have refilled; each is idle for at most one refill time. */
  #sweep(): void {
    for (const address of this.#idle) {
      const budget = this.#budgets.get(address)
      if (budget === undefined || (budget.sockets === 0 && budget.frames.isFull() && budget.bytes.isFull())) {
        this.#budgets.delete(address)
        this.#idle.delete(address)
      }
    }
  }
}
