import { Cell, type Clock, type Observable } from '../base'

interface Heard {
  readonly at: number
  readonly timeoutMs: number
}

/**
 * Who is present in a swarm, judged by heartbeats. Trystero notices a page
 * that closed without leaving only when its connection times out (10-12 s);
 * a peer that falls silent for its timeout is dropped here instead, and comes
 * back as soon as it is heard again. Each peer may say how long to wait for
 * it (a hidden tab, whose timers the browser slows down, asks for longer).
 * Pure: time comes from `clock`, and `sweep` is called by whoever owns the timer.
 */
export class PresenceTracker {
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #heard = new Map<string, Heard>()
  readonly #peers = new Cell<ReadonlySet<string>>(new Set())

  constructor(options: { readonly clock: Clock; readonly timeoutMs: number }) {
    this.#clock = options.clock
    this.#timeoutMs = options.timeoutMs
  }

  /** The peers present now; a new set on every change. */
  get peers(): Observable<ReadonlySet<string>> {
    return this.#peers
  }

  /**
   * A peer joined or sent anything: it is present until it falls silent for
   * `timeoutMs`, or, when that is not given, for the timeout it last asked for.
   */
  heard(peerId: string, timeoutMs?: number): void {
    const previous = this.#heard.get(peerId)
    this.#heard.set(peerId, { at: this.#clock.now(), timeoutMs: timeoutMs ?? previous?.timeoutMs ?? this.#timeoutMs })
    if (previous === undefined) this.#publish()
  }

  /** A peer said goodbye or its connection closed. */
  left(peerId: string): void {
    if (this.#heard.delete(peerId)) this.#publish()
  }

  /** Drops every peer not heard from within its timeout. */
  sweep(): void {
    const now = this.#clock.now()
    let changed = false
    for (const [peerId, { at, timeoutMs }] of this.#heard) {
      if (now - at > timeoutMs) {
        this.#heard.delete(peerId)
        changed = true
      }
    }
    if (changed) this.#publish()
  }

  clear(): void {
    if (this.#heard.size === 0) return
    this.#heard.clear()
    this.#publish()
  }

  #publish(): void {
    this.#peers.set(new Set(this.#heard.keys()))
  }
}
