import { Cell, type Clock, type Observable } from '../base'

/**
 * Who is present in a swarm, judged by heartbeats. Trystero notices a page
 * that closed without leaving only when its connection times out (10-12 s);
 * a peer whose heartbeats stop for `timeoutMs` is dropped here instead, and
 * comes back as soon as it is heard again. Pure: time comes from `clock`, and
 * `sweep` is called by whoever owns the timer.
 */
export class PresenceTracker {
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #lastHeard = new Map<string, number>()
  readonly #peers = new Cell<ReadonlySet<string>>(new Set())

  constructor(options: { readonly clock: Clock; readonly timeoutMs: number }) {
    this.#clock = options.clock
    this.#timeoutMs = options.timeoutMs
  }

  /** The peers present now; a new set on every change. */
  get peers(): Observable<ReadonlySet<string>> {
    return this.#peers
  }

  /** A peer joined or sent anything: it is present from now until it falls silent. */
  heard(peerId: string): void {
    const isNew = !this.#lastHeard.has(peerId)
    this.#lastHeard.set(peerId, this.#clock.now())
    if (isNew) this.#publish()
  }

  /** A peer said goodbye or its connection closed. */
  left(peerId: string): void {
    if (this.#lastHeard.delete(peerId)) this.#publish()
  }

  /** Drops every peer not heard from within the timeout. */
  sweep(): void {
    const now = this.#clock.now()
    let changed = false
    for (const [peerId, at] of this.#lastHeard) {
      if (now - at > this.#timeoutMs) {
        this.#lastHeard.delete(peerId)
        changed = true
      }
    }
    if (changed) this.#publish()
  }

  clear(): void {
    if (this.#lastHeard.size === 0) return
    this.#lastHeard.clear()
    this.#publish()
  }

  #publish(): void {
    this.#peers.set(new Set(this.#lastHeard.keys()))
  }
}
