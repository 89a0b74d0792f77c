/** A value that changes over time, readable now and observable later; framework-neutral. */
export interface Observable<T> {
  get(): T
  /** Calls `listener` on every change (not with the current value); returns the unsubscribe. */
  subscribe(listener: (value: T) => void): () => void
}

/** The writable observable used inside the core; only `Observable` is handed out. */
export class Cell<T> implements Observable<T> {
  #value: T
  readonly #listeners = new Set<(value: T) => void>()

  constructor(initial: T) {
    this.#value = initial
  }

  get(): T {
    return this.#value
  }

  set(value: T): void {
    if (Object.is(value, this.#value)) return
    this.#value = value
    for (const listener of [...this.#listeners]) listener(value)
  }

  subscribe(listener: (value: T) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}

/** Resolves true once `ready` holds of `cell`'s value (now or after a change), or false when `signal` aborts. */
export const until = <T>(cell: Observable<T>, ready: (value: T) => boolean, signal: AbortSignal): Promise<boolean> =>
  new Promise((resolve) => {
    if (ready(cell.get())) {
      resolve(true)
      return
    }
    const stop = cell.subscribe((value) => {
      if (!ready(value)) return
      stop()
      resolve(true)
    })
    signal.addEventListener('abort', () => {
      stop()
      resolve(false)
    })
  })
