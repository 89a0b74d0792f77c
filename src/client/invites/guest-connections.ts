/**
 * One invitation room's guest connections, as its host keeps them: who passed the handshake, who Trystero let in,
 * and what each was answered. Nothing outlives the connection (review 14 H2: a peer's `AuthenticatedPeer` stayed
 * for the life of the room, up to 7 days, one per connection a guest ever made).
 */
import type { AuthenticatedPeer } from '../../mesh'

/**
 * How long a guest that passed the handshake may take to be let in (the DTLS binding refuses it after 5 s): past
 * it, one never let in is forgotten.
 */
export const FORGET_UNSEEN_MS = 30_000

/**
 * How often one guest connection is answered (the offer, or a refusal): its first hellos may go out before it
 * lets us in, and ours before it lets us in; more is a flood (review 13 G3: 200 hellos drew 41.7 MB of offers).
 */
const ANSWERS_PER_GUEST = 3

interface Answer {
  readonly bytes: string
  sent: number
}

export class GuestConnections {
  readonly #after: (ms: number, fire: () => void) => () => void
  readonly #left: (peerId: string) => void
  readonly #guests = new Map<string, AuthenticatedPeer>()
  readonly #answers = new Map<string, Answer>()
  /** Connections told the host is busy (once each). */
  readonly #busy = new Set<string>()
  readonly #unseen = new Map<string, () => void>()
  #present: ReadonlyMap<string, AuthenticatedPeer> = new Map()

  /** `left` hears of every connection forgotten, or replaced by a new handshake on its peer id (its offer's place). */
  constructor(after: (ms: number, fire: () => void) => () => void, left: (peerId: string) => void = () => undefined) {
    this.#after = after
    this.#left = left
  }

  /** A guest passed the handshake on `peerId` (a new connection: nothing it was answered before counts). */
  passed(peerId: string, peer: AuthenticatedPeer): void {
    this.#forgetAnswer(peerId)
    this.#guests.set(peerId, peer)
    this.#unseen.get(peerId)?.()
    this.#unseen.set(
      peerId,
      this.#after(FORGET_UNSEEN_MS, () => {
        this.#unseen.delete(peerId)
        if (!this.#present.has(peerId)) this.#forget(peerId)
      }),
    )
  }

  /** The peers Trystero lets in now; returns those just let in (to be offered unasked). Those gone are forgotten. */
  present(peers: ReadonlyMap<string, AuthenticatedPeer>): string[] {
    const arrived = [...peers.keys()].filter((peerId) => !this.#present.has(peerId))
    for (const peerId of this.#present.keys()) if (!peers.has(peerId)) this.#forget(peerId)
    this.#present = peers
    return arrived
  }

  guest(peerId: string): AuthenticatedPeer | undefined {
    return this.#guests.get(peerId)
  }

  /** The connection on `peerId` is gone: its guest, answer and wait are forgotten. */
  #forget(peerId: string): void {
    this.#guests.delete(peerId)
    this.#forgetAnswer(peerId)
    this.#unseen.get(peerId)?.()
    this.#unseen.delete(peerId)
  }

  /** Takes the guest off `peerId` while its one admission is judged: it is not answered again unless `admitted`. */
  judging(peerId: string): void {
    this.#guests.delete(peerId)
  }

  /** Keeps `peer` on `peerId` after its admission (it may ask for its welcome again). */
  admitted(peerId: string, peer: AuthenticatedPeer): void {
    this.#guests.set(peerId, peer)
  }

  /**
   * The bytes to send `peerId` now: its connection's answer, built once by `build` (undefined while the host is
   * busy: a busy notice is sent once, and the host answers it when its turn in the offer budget's line comes), at
   * most `ANSWERS_PER_GUEST` times.
   */
  answer(peerId: string, build: () => string | undefined, busy: () => string): string | undefined {
    let answer = this.#answers.get(peerId)
    if (answer === undefined) {
      const bytes = build()
      if (bytes === undefined) {
        if (this.#busy.has(peerId)) return undefined
        this.#busy.add(peerId)
        return busy()
      }
      answer = { bytes, sent: 0 }
      this.#answers.set(peerId, answer)
    }
    if (answer.sent >= ANSWERS_PER_GUEST) return undefined
    answer.sent++
    return answer.bytes
  }

  /** Connections held (guests, answers, busy notices, waits): what a test checks is gone once they left. */
  get size(): number {
    return this.#guests.size + this.#answers.size + this.#busy.size + this.#unseen.size
  }

  #forgetAnswer(peerId: string): void {
    this.#answers.delete(peerId)
    this.#busy.delete(peerId)
    this.#left(peerId)
  }
}
