/**
 * Runs a read again when told its data changed, but never two at once and, after a read, not before as much time
 * has passed as it took. A live list of 5,000 rows re-read on every index write while a big space arrived took
 * 1.3 s a read (three lists, one write every ~300 ms): the reads held IndexedDB and every write, storage read and
 * text fetch queued behind them. Paced, a costly read takes at most about half the time; a cheap one (a small
 * list, one edit) still runs at once.
 */
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
    const wait = this.#lastEnd + this.#lastCost - this.#now()
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
