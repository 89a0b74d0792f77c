import type { Clock } from '../base'
import { PresenceTracker } from './presence'

/**
 * How long an admitted peer may send nothing in a room before its connection is closed. Presence lets a peer go
 * after 3.5 s; this is for a connection dead on the other side, and long enough for a page whose main thread is
 * busy a while (a big space arriving).
 */
export const SILENT_CLOSE_MS = 30_000

/**
 * Admitted peers that stopped sending in a room while their connection stays open. Trystero can forget a connection
 * without closing it (its shared peer clears the rooms on a `close` or `error` of the connection and leaves it open),
 * and then the other side keeps every room on it joined and ignores new offers for good: in CI (2026-11-29) a laptop
 * forgot its phone in both rooms at once, the phone kept the laptop joined in their personal room for the last 78 s
 * of the test and heard nothing from it. Every admitted peer beats every second, so a peer silent this long is gone
 * whatever Trystero thinks; its connection is closed, and both ends meet again over a new one.
 */
export class SilentPeers {
  readonly #heard: PresenceTracker

  constructor(clock: Clock) {
    this.#heard = new PresenceTracker({ clock, timeoutMs: SILENT_CLOSE_MS })
  }

  /** The peer sent anything; `askedMs` is the presence wait it asked for (a hidden page's is longer). */
  heard(peerId: string, askedMs?: number): void {
    this.#heard.heard(peerId, askedMs === undefined ? undefined : Math.max(SILENT_CLOSE_MS, askedMs))
  }

  /**
   * The peers silent past their wait, forgotten as they are told: each silence is told once. A peer that left is told
   * too, at most once: the caller acts only on peers still admitted.
   */
  sweep(): string[] {
    return this.#heard.sweep()
  }
}
