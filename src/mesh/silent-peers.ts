import type { Clock } from '../base'

/**
 * How long an admitted peer may send nothing in a room before its connection is closed. Presence lets a peer go
 * after 3.5 s; this is for a connection dead on the other side, and long enough for a page whose main thread is
 * busy a while (a big space arriving).
 */
export const SILENT_CLOSE_MS = 30_000

interface Heard {
  readonly at: number
  readonly waitMs: number
}

/**
 * Admitted peers that stopped sending in a room while their connection stays open. Trystero can forget a connection
 * without closing it (its shared peer clears the rooms on a `close` or `error` of the connection and leaves it open),
 * and then the other side keeps every room on it joined and ignores new offers for good: in CI (2026-11-29) a laptop
 * forgot its phone in both rooms at once, the phone kept the laptop joined in their personal room for the last 78 s
 * of the test and heard nothing from it. Every admitted peer beats every second, so a peer silent this long is gone
 * whatever Trystero thinks; its connection is closed, and both ends meet again over a new one.
 */
export class SilentPeers {
  readonly #clock: Clock
  readonly #heard = new Map<string, Heard>()

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /**
   * The peer sent anything, or is to be waited for again from now. `askedMs` is the presence wait it asked for (a
   * hidden page's is longer); without it, the wait it asked for last.
   */
  heard(peerId: string, askedMs?: number): void {
    const waitMs =
      askedMs === undefined ? (this.#heard.get(peerId)?.waitMs ?? SILENT_CLOSE_MS) : Math.max(SILENT_CLOSE_MS, askedMs)
    this.#heard.set(peerId, { at: this.#clock.now(), waitMs })
  }

  /** The peers silent past their wait, until each is heard again or forgotten. */
  silent(): string[] {
    const now = this.#clock.now()
    return [...this.#heard].flatMap(([peerId, { at, waitMs }]) => (now - at > waitMs ? [peerId] : []))
  }

  forget(peerId: string): void {
    this.#heard.delete(peerId)
  }
}
