// Tests only: Web Locks for several tabs of one profile, with the browser's rules (exclusive and shared
// modes, `ifAvailable`, `steal`, `signal`) and a tab that dies, whose locks the browser frees at once.
import type { Locks } from '../spaces'

type Mode = LockMode

interface Held {
  readonly name: string
  readonly mode: Mode
  readonly tab: FakeTabLocks
  /** Rejects the holder's promise: its lock was stolen. */
  readonly broken: () => void
}

interface Waiting {
  readonly name: string
  readonly mode: Mode
  readonly tab: FakeTabLocks
  readonly grant: () => void
}

const notSupported = (message: string) => Promise.reject(new DOMException(message, 'NotSupportedError'))

/** The lock manager of one browser profile: every tab's `locks` edge comes from `tab()`. */
export class FakeLockManager {
  readonly #held: Held[] = []
  readonly #waiting: Waiting[] = []

  /** The `navigator.locks` of a new tab. */
  tab(): FakeTabLocks {
    return new FakeTabLocks(this)
  }

  /** The tabs holding `name` now (what `navigator.locks.query()` tells). */
  holders(name: string): FakeTabLocks[] {
    return this.#held.filter((held) => held.name === name).map((held) => held.tab)
  }

  /** @internal */
  hold(held: Held): () => boolean {
    this.#held.push(held)
    return () => this.#release(held)
  }

  /** @internal */
  enqueue(waiting: Waiting, options: { steal: boolean; ifAvailable: boolean }): 'queued' | 'unavailable' {
    if (options.steal) {
      for (const held of this.#held.filter((one) => one.name === waiting.name)) {
        this.#release(held)
        held.broken()
      }
      this.#waiting.unshift(waiting)
    } else if (options.ifAvailable && !this.#grantableNow(waiting)) return 'unavailable'
    else this.#waiting.push(waiting)
    this.#process(waiting.name)
    return 'queued'
  }

  /** @internal Removes a request still waiting; false when it was granted already. */
  withdraw(waiting: Waiting): boolean {
    const at = this.#waiting.indexOf(waiting)
    if (at < 0) return false
    this.#waiting.splice(at, 1)
    this.#process(waiting.name)
    return true
  }

  /** @internal The tab is gone: its locks are free, its requests forgotten, and nothing settles. */
  forget(tab: FakeTabLocks): void {
    const names = new Set<string>()
    for (const held of this.#held.filter((one) => one.tab === tab)) {
      names.add(held.name)
      this.#release(held)
    }
    for (const waiting of this.#waiting.filter((one) => one.tab === tab)) {
      names.add(waiting.name)
      this.#waiting.splice(this.#waiting.indexOf(waiting), 1)
    }
    for (const name of names) this.#process(name)
  }

  #release(held: Held): boolean {
    const at = this.#held.indexOf(held)
    if (at < 0) return false
    this.#held.splice(at, 1)
    this.#process(held.name)
    return true
  }

  #conflicts(name: string, mode: Mode): boolean {
    return this.#held.some((held) => held.name === name && (mode === 'exclusive' || held.mode === 'exclusive'))
  }

  #grantableNow(waiting: Waiting): boolean {
    return !this.#waiting.some((one) => one.name === waiting.name) && !this.#conflicts(waiting.name, waiting.mode)
  }

  /** Grants the requests at the head of `name`'s queue, in order, while they fit beside the held locks. */
  #process(name: string): void {
    for (;;) {
      const next = this.#waiting.find((one) => one.name === name)
      if (next === undefined || this.#conflicts(name, next.mode)) return
      this.#waiting.splice(this.#waiting.indexOf(next), 1)
      next.grant()
    }
  }
}

/** One tab's `navigator.locks`; `die()` closes the tab. */
export class FakeTabLocks implements Locks {
  readonly #manager: FakeLockManager
  #alive = true

  constructor(manager: FakeLockManager) {
    this.#manager = manager
  }

  get alive(): boolean {
    return this.#alive
  }

  /** The tab closes: the browser frees its locks at once; nothing of it runs any more. */
  die(): void {
    this.#alive = false
    this.#manager.forget(this)
  }

  request<T>(name: string, callback: LockGrantedCallback<T>): Promise<Awaited<T>>
  request<T>(name: string, options: LockOptions, callback: LockGrantedCallback<T>): Promise<Awaited<T>>
  request<T>(
    name: string,
    optionsOrCallback: LockOptions | LockGrantedCallback<T>,
    maybeCallback?: LockGrantedCallback<T>,
  ): Promise<Awaited<T>> {
    const options = typeof optionsOrCallback === 'function' ? {} : optionsOrCallback
    const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback
    if (callback === undefined) return Promise.reject(new TypeError('a callback is required'))
    const mode = options.mode ?? 'exclusive'
    const steal = options.steal === true
    const ifAvailable = options.ifAvailable === true
    const signal = options.signal
    // The rules of `LockManager.request`, so code that breaks them fails here as in a browser.
    if (steal && ifAvailable) return notSupported('steal and ifAvailable')
    if (steal && mode !== 'exclusive') return notSupported('steal needs exclusive')
    if (signal !== undefined && (steal || ifAvailable)) return notSupported('signal with steal or ifAvailable')
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error)
    if (!this.#alive) return new Promise<never>(() => undefined)
    return new Promise<Awaited<T>>((resolve, reject) => {
      const run = (lock: Lock | null, release: () => boolean) => {
        queueMicrotask(() => {
          if (!this.#alive) return
          Promise.resolve()
            .then((): T | PromiseLike<T> => callback(lock))
            .then(
              (value) => {
                if (release() || lock === null) resolve(value as Awaited<T>)
              },
              (error: unknown) => {
                if (release() || lock === null) reject(error instanceof Error ? error : new Error(String(error)))
              },
            )
        })
      }
      let onAbort: (() => void) | undefined
      const state = { granted: false }
      const waiting: Waiting = {
        name,
        mode,
        tab: this,
        grant: () => {
          state.granted = true
          if (onAbort) signal?.removeEventListener('abort', onAbort)
          const release = this.#manager.hold({
            name,
            mode,
            tab: this,
            broken: () => {
              reject(new DOMException('The lock was stolen.', 'AbortError'))
            },
          })
          run({ name, mode }, release)
        },
      }
      if (this.#manager.enqueue(waiting, { steal, ifAvailable }) === 'unavailable') {
        run(null, () => true)
        return
      }
      if (signal !== undefined && !state.granted) {
        onAbort = () => {
          if (this.#manager.withdraw(waiting)) reject(signal.reason as Error)
        }
        signal.addEventListener('abort', onAbort, { once: true })
      }
    })
  }
}
