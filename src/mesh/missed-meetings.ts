import { toHex } from '../base'

/** At most this many digests are read from one peer's list (a room of devices and members is far smaller). */
const MAX_MET_IDS = 64
/** A digest is 128 bits of SHA-256, in lowercase hex. */
const DIGEST = /^[0-9a-f]{32}$/
/** A digest sought by this many rejoins and never met is given up (review 15, J1): Trystero's 60 s announce is left. */
const ATTEMPTS_PER_PEER = 3
/** Given-up digests kept, oldest out; beyond, a digest may be sought again, within the room's budget below. */
const MAX_GIVEN_UP = 256
/** At most this many missed-meeting rejoins per `BUDGET_WINDOW_MS`, whoever asks and for whatever digests. */
const REJOINS_PER_WINDOW = 3
const BUDGET_WINDOW_MS = 10 * 60_000
/** A peer refused with a final code, either way, is not missed for this long (review 15, J2). */
const REFUSED_FOR_MS = 10 * 60_000
/**
 * Refused digests kept, oldest out (review 16, K5): each refusal of a fresh page id is one more, and a room knocked on
 * for days would keep them all. Beyond, a refused peer may be missed again, within the room's budget below.
 */
export const MAX_REFUSED = 1_024

/**
 * What a peer sends on `cp.met`: `H(roomId | id)` for each peer it joined, so a list names no page id (a page's
 * Trystero id is the same in every room) and a list seen in one room means nothing in another (review 15, J8).
 */
export const metDigest = async (roomId: string, peerId: string): Promise<string> =>
  toHex(
    new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`commonplace/mesh-met/v1|${roomId}|${peerId}`)),
    ),
  ).slice(0, 32)

/** A peer's list of digests, as sent on the swarm's `cp.met` channel; anything else is undefined. */
export const readMetList = (data: unknown): ReadonlySet<string> | undefined =>
  Array.isArray(data) && data.length <= MAX_MET_IDS && data.every((id) => typeof id === 'string' && DIGEST.test(id))
    ? new Set(data as string[])
    : undefined

/** Keeps the newest `MAX_GIVEN_UP` entries of an insertion-ordered set or map. */
const trim = (entries: Set<string> | Map<string, number>): void => {
  for (const key of [...entries.keys()].slice(0, Math.max(0, entries.size - MAX_GIVEN_UP))) entries.delete(key)
}

/** Each peer's digest in one room, computed once (SHA-256 is async here) and kept for the newest 1,024 peers. */
export class MetDigests {
  readonly #roomId: string
  readonly #known = new Map<string, string>()
  readonly #computing = new Map<string, Promise<string>>()

  constructor(roomId: string) {
    this.#roomId = roomId
  }

  /** The digest of `peerId`, if computed. */
  of(peerId: string): string | undefined {
    return this.#known.get(peerId)
  }

  ensure(peerId: string): Promise<string> {
    const computing = this.#computing.get(peerId)
    if (computing !== undefined) return computing
    const made = metDigest(this.#roomId, peerId).then((digest) => {
      if (this.#computing.get(peerId) === made) this.#known.set(peerId, digest)
      return digest
    })
    this.#computing.set(peerId, made)
    for (const oldest of [...this.#computing.keys()].slice(0, Math.max(0, this.#computing.size - 1_024))) {
      this.#computing.delete(oldest)
      this.#known.delete(oldest)
    }
    return made
  }
}

interface Report {
  /** Who the reporter proved to be (its identity; its peer id in a room without a handshake). */
  readonly reporter: string
  readonly digests: ReadonlySet<string>
}

/**
 * Who our peers say they are connected to, to find a peer of the room that we never met: two peers that both stay
 * connected through a third and whose first meeting failed (a handshake fed stale frames, a lost answer) are not
 * lonely, so only this tells them to meet again. Pure: the swarm feeds it digests and a clock, and decides when to
 * act. Review 15 (J1, J2) bounds what a report can make us do:
 * - a digest is missed only on the word of two reporters of different identities, when our peers are of two or
 *   more identities; when they are all one identity (one person's devices, or one other member) one report is
 *   enough, since nobody else could confirm it (the device-sync case: the laptop alone tells the phone of the tablet);
 *   a member's second page, which an honest peer meets and we fail to, gets that peer's word (review 16, K4): a
 *   digest does not say whose page it is, so the budget below is what bounds her;
 * - a digest sought by `ATTEMPTS_PER_PEER` rejoins and never met is given up;
 * - at most `REJOINS_PER_WINDOW` rejoins per `BUDGET_WINDOW_MS`, met or not, so no report, however many digests
 *   it names and however the reporters take turns, makes us drop our connections more often;
 * - a peer refused with a final code, by us or by it, is not missed for `REFUSED_FOR_MS`.
 */
export class MissedMeetings {
  readonly #reports = new Map<string, Report>()
  // Rejoins each digest was sought by, while never met; given-up digests, in the order they were given up.
  readonly #attempts = new Map<string, number>()
  readonly #givenUp = new Set<string>()
  readonly #refused = new Map<string, number>()
  // When each missed-meeting rejoin of the window started.
  #rejoins: number[] = []
  // What the last rejoin sought, until one of it is met or the next rejoin starts.
  #sought = new Set<string>()
  // Rejoins since one met what it sought: the backoff's step.
  #failures = 0

  /** `from` (of `reporter`) is connected to `digests` now, replacing what it said; an unreadable list says nothing. */
  report(from: string, reporter: string, digests: ReadonlySet<string> | undefined): void {
    if (digests === undefined) this.#reports.delete(from)
    else this.#reports.set(from, { reporter, digests })
  }

  /** `peerId` left: what it said goes with it. */
  forget(peerId: string): void {
    this.#reports.delete(peerId)
  }

  /** Every report goes (a rejoin: our peers are gone); attempts, budget and refusals stay. */
  clear(): void {
    this.#reports.clear()
  }

  /** The peer of `digest` was refused with a final code, by us or by it. */
  refused(digest: string, now: number): void {
    this.#refused.delete(digest)
    this.#refused.set(digest, now + REFUSED_FOR_MS)
    // In the order they were refused, so the oldest, and the first to expire, come first.
    for (const [oldest, until] of this.#refused) {
      if (until > now && this.#refused.size <= MAX_REFUSED) break
      this.#refused.delete(oldest)
    }
  }

  /**
   * The digests our peers report that are not `known` (ours, our joined peers', those in a handshake with us), and
   * that may be sought now; `identities` is how many identities our joined peers are of.
   */
  missing(known: ReadonlySet<string>, identities: number, now: number): string[] {
    for (const [digest, until] of this.#refused) if (until <= now) this.#refused.delete(digest)
    const reporters = new Map<string, Set<string>>()
    for (const { reporter, digests } of this.#reports.values()) {
      for (const digest of digests) {
        if (known.has(digest) || this.#givenUp.has(digest) || this.#refused.has(digest)) continue
        const by = reporters.get(digest) ?? new Set<string>()
        by.add(reporter)
        reporters.set(digest, by)
      }
    }
    const quorum = Math.min(2, Math.max(1, identities))
    return [...reporters].flatMap(([digest, by]) => (by.size >= quorum ? [digest] : []))
  }

  /** How long until a rejoin is within the budget (0: now). */
  waitForBudget(now: number): number {
    this.#rejoins = this.#rejoins.filter((at) => at > now - BUDGET_WINDOW_MS)
    const oldest = this.#rejoins[0]
    return this.#rejoins.length < REJOINS_PER_WINDOW || oldest === undefined ? 0 : oldest + BUDGET_WINDOW_MS - now
  }

  /** The backoff's step: rejoins since one met what it sought. */
  get failures(): number {
    return this.#failures
  }

  /** A rejoin starts, seeking `digests` (none for a lonely rejoin): what the last one sought is void. */
  rejoining(digests: readonly string[], now: number): void {
    this.#sought = new Set(digests)
    if (digests.length === 0) return
    this.#failures++
    this.#rejoins.push(now)
    for (const digest of digests) {
      const attempts = (this.#attempts.get(digest) ?? 0) + 1
      this.#attempts.delete(digest)
      if (attempts < ATTEMPTS_PER_PEER) this.#attempts.set(digest, attempts)
      else this.#givenUp.add(digest)
    }
    trim(this.#attempts)
    trim(this.#givenUp)
  }

  /** We joined the peer of `digest`: it is missed no more, and a rejoin that sought it met what it was for. */
  met(digest: string): void {
    this.#attempts.delete(digest)
    this.#givenUp.delete(digest)
    if (!this.#sought.has(digest)) return
    this.#sought = new Set()
    this.#failures = 0
  }
}
