/**
 * Runs a read again when told its data changed, but never two at once and, after a read, not before some time has
 * passed: as much as it took for a cheap read (a small list, one edit: it still runs at once), up to four times as
 * much for a costly one. A live list of 5,000 rows re-read on every index write while a big space arrived took 1.3 s
 * a read (three lists, one write every ~300 ms): the reads held IndexedDB and every write, storage read and text
 * fetch queued behind them. Paused as long as it took, a search list open while a big space's texts arrived still
 * doubled the time to every text (106-115 s, and 51 s with the list read every 2 s instead; `npm run bench sync`):
 * its reads cost the browser's IndexedDB as much again as they cost the page. A costly read now takes at most about
 * a fifth of the time.
 */
/** A read this long or shorter pauses as long as it took; the pause grows with the read, to `MAX_PAUSE_FACTOR` times. */
const CHEAP_READ_MS = 25
const MAX_PAUSE_FACTOR = 4

/** How long to wait after a read of `cost` ms before the next. */
export const pauseAfter = (cost: number): number => cost * Math.min(MAX_PAUSE_FACTOR, Math.max(1, cost / CHEAP_READ_MS))

export interface PacedReadsOptions {
  readonly now?: () => number
  readonly after?: (run: () => void, ms: number) => unknown
  readonly cancel?: (timer: unknown) => void
}

export class PacedReads<T> {
  readonly #read: () => Promise<T>
  readonly #deliver: (value: T) => void
  readonly #fail: (error: unknown) => void
  readonly #now: () => number
  readonly #after: (run: () => void, ms: number) => unknown
  readonly #cancel: (timer: unknown) => void
  #reading = false
  #again = false
  #timer: unknown
  #lastEnd = -Infinity
  #lastCost = 0
  #closed = false

  constructor(
    read: () => Promise<T>,
    deliver: (value: T) => void,
    fail: (error: unknown) => void,
    options: PacedReadsOptions = {},
  ) {
    this.#read = read
    this.#deliver = deliver
    this.#fail = fail
    this.#now = options.now ?? (() => performance.now())
    this.#after = options.after ?? ((run, ms) => setTimeout(run, ms))
    this.#cancel = options.cancel ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>))
  }

  /** The data changed: read again now, or once the read under way and the pause after it are over. */
  changed(): void {
    if (this.#closed) return
    if (this.#reading) {
      this.#again = true
      return
    }
    if (this.#timer !== undefined) return
    const wait = this.#lastEnd + pauseAfter(this.#lastCost) - this.#now()
    if (wait <= 0) this.#start()
    else this.#timer = this.#after(() => this.#start(), wait)
  }

  close(): void {
    this.#closed = true
    if (this.#timer !== undefined) this.#cancel(this.#timer)
    this.#timer = undefined
  }

  #start(): void {
    this.#timer = undefined
    if (this.#closed) return
    this.#reading = true
    this.#again = false
    const started = this.#now()
    void this.#read()
      .then(
        (value) => {
          if (!this.#closed) this.#deliver(value)
        },
        (error: unknown) => {
          if (!this.#closed) this.#fail(error)
        },
      )
      .finally(() => {
        this.#reading = false
        this.#lastEnd = this.#now()
        this.#lastCost = this.#lastEnd - started
        if (this.#again) this.changed()
      })
  }
}
