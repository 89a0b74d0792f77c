/**
 * Documents offered to a remote peer in order, a few at a time. automerge-repo offers a peer every document it
 * may have the moment it connects or the rules change: a laptop holding a 10k space sent a freshly linked phone
 * about 5,000 sync messages at once, the phone refused each (it did not know the space yet), and the space's root
 * the phone had asked for needed three round trips through those queues (4-7 s each). Here a root goes at once;
 * other documents wait their turn, object documents before the rest, with at most `window` offers per peer not
 * answered yet. Any message from the peer about a document answers its offer, or lets a waiting one go at once
 * (the two are syncing it anyway). An offer still unanswered after `answerWaitMs` frees its place.
 */
import type { DocumentId } from './space/documents'

/** How soon a document is offered: 0 at once (a root), then 1 (object documents), then 2 (the rest). */
export type OfferRank = 0 | 1 | 2

export interface OfferQueueOptions {
  readonly rank: (documentId: DocumentId) => OfferRank
  /** Offers per peer not answered yet. */
  readonly window?: number
  /** An offer not answered within this long no longer holds a place. */
  readonly answerWaitMs?: number
  /** Runs `fire` after `ms` unless the returned cancel is called first. */
  readonly after?: (ms: number, fire: () => void) => () => void
}

const DEFAULT_WINDOW = 32
const DEFAULT_ANSWER_WAIT_MS = 10_000

const timeout = (ms: number, fire: () => void): (() => void) => {
  const timer = setTimeout(fire, ms)
  return () => {
    clearTimeout(timer)
  }
}

interface Waiting {
  readonly answer: Promise<boolean>
  readonly resolve: (offer: boolean) => void
}

interface PeerOffers {
  /** Waiting documents by rank (1 and 2); a document taken out of `waiting` meanwhile is skipped. */
  readonly lines: [DocumentId[], DocumentId[]]
  readonly waiting: Map<DocumentId, Waiting>
  /** Offered and not answered yet, with the cancel of each one's wait. */
  readonly unanswered: Map<DocumentId, () => void>
  /** Offered (or asked about by the peer) since it connected: asked again, the answer is yes at once. */
  readonly offered: Set<DocumentId>
}

export class OfferQueue {
  readonly #rank: (documentId: DocumentId) => OfferRank
  readonly #window: number
  readonly #answerWaitMs: number
  readonly #after: (ms: number, fire: () => void) => () => void
  readonly #peers = new Map<string, PeerOffers>()

  constructor(options: OfferQueueOptions) {
    this.#rank = options.rank
    this.#window = options.window ?? DEFAULT_WINDOW
    this.#answerWaitMs = options.answerWaitMs ?? DEFAULT_ANSWER_WAIT_MS
    this.#after = options.after ?? timeout
  }

  /** Resolves true when `documentId` may be offered to `peer`; false when the peer left before its turn. */
  offer(peer: string, documentId: DocumentId): Promise<boolean> {
    const offers = this.#offersOf(peer)
    if (offers.offered.has(documentId)) return Promise.resolve(true)
    const waiting = offers.waiting.get(documentId)
    if (waiting !== undefined) return waiting.answer
    const rank = this.#rank(documentId)
    if (rank === 0) {
      offers.offered.add(documentId)
      return Promise.resolve(true)
    }
    let resolve: (offer: boolean) => void = () => undefined
    const answer = new Promise<boolean>((done) => {
      resolve = done
    })
    offers.waiting.set(documentId, { answer, resolve })
    const line = rank === 1 ? offers.lines[0] : offers.lines[1]
    line.push(documentId)
    this.#pump(peer, offers)
    return answer
  }

  /** `peer` sent a message about `documentId`: its offer is answered, or goes now if it was waiting. */
  heard(peer: string, documentId: DocumentId): void {
    const offers = this.#peers.get(peer)
    if (offers === undefined) return
    const waiting = offers.waiting.get(documentId)
    if (waiting !== undefined) {
      offers.waiting.delete(documentId)
      offers.offered.add(documentId)
      waiting.resolve(true)
      return
    }
    this.#answered(peer, offers, documentId)
  }

  /** `peer` left: what waited is not offered (a peer that comes back is offered everything anew). */
  gone(peer: string): void {
    const offers = this.#peers.get(peer)
    if (offers === undefined) return
    this.#peers.delete(peer)
    for (const cancel of offers.unanswered.values()) cancel()
    for (const { resolve } of offers.waiting.values()) resolve(false)
  }

  #offersOf(peer: string): PeerOffers {
    let offers = this.#peers.get(peer)
    if (offers === undefined) {
      offers = { lines: [[], []], waiting: new Map(), unanswered: new Map(), offered: new Set() }
      this.#peers.set(peer, offers)
    }
    return offers
  }

  #answered(peer: string, offers: PeerOffers, documentId: DocumentId): void {
    const cancel = offers.unanswered.get(documentId)
    if (cancel === undefined) return
    cancel()
    offers.unanswered.delete(documentId)
    this.#pump(peer, offers)
  }

  #pump(peer: string, offers: PeerOffers): void {
    for (const line of offers.lines) {
      while (offers.unanswered.size < this.#window) {
        const next = line.shift()
        if (next === undefined) break
        const waiting = offers.waiting.get(next)
        if (waiting === undefined) continue
        offers.waiting.delete(next)
        offers.offered.add(next)
        offers.unanswered.set(
          next,
          this.#after(this.#answerWaitMs, () => {
            if (this.#peers.get(peer) === offers) this.#answered(peer, offers, next)
          }),
        )
        waiting.resolve(true)
      }
    }
  }
}
