/** At most this many ids are read from one peer's list (a room of devices and members is far smaller). */
const MAX_MET_IDS = 64
/** Trystero's ids are 20 characters; anything much longer is not one. */
const MAX_ID_LENGTH = 64

/** A peer's list of the peers it is connected to, as sent on the swarm's `cp.met` channel; anything else is undefined. */
export const readMetList = (data: unknown): ReadonlySet<string> | undefined =>
  Array.isArray(data) &&
  data.length <= MAX_MET_IDS &&
  data.every((id) => typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH)
    ? new Set(data as string[])
    : undefined

/**
 * Who our peers say they are connected to, to find a peer of the room that we never met: two peers that both stay
 * connected through a third and whose first meeting failed (a handshake fed stale frames, a lost answer) are not
 * lonely, so only this tells them to meet again. Pure: the swarm feeds it and decides when to act.
 */
export class MissedMeetings {
  readonly #selfId: string
  readonly #reports = new Map<string, ReadonlySet<string>>()

  constructor(selfId: string) {
    this.#selfId = selfId
  }

  /** `from` says it is connected to `met` now (replacing what it said before); an unreadable list says nothing. */
  report(from: string, met: ReadonlySet<string> | undefined): void {
    if (met === undefined) this.#reports.delete(from)
    else this.#reports.set(from, met)
  }

  /** `peerId` left: what it said goes with it. */
  forget(peerId: string): void {
    this.#reports.delete(peerId)
  }

  clear(): void {
    this.#reports.clear()
  }

  /** The peers of ours' that are neither joined by us nor in a handshake with us now. */
  missing(joined: ReadonlySet<string>, meeting: ReadonlySet<string>): string[] {
    const missing = new Set<string>()
    for (const met of this.#reports.values()) {
      for (const id of met) if (id !== this.#selfId && !joined.has(id) && !meeting.has(id)) missing.add(id)
    }
    return [...missing]
  }
}
