import type { Message } from '@automerge/automerge-repo/slim'
import { bytesEqual } from '../../base'
import { readSyncShape, type SyncShape } from './sync-shape'

/**
 * A budget on asks from the start (review 14, H3): a sync message with no heads, or a `have` from the document's
 * start, costs its sender ~42 bytes and us the whole document. Such an ask from a peer for a document waits while
 * the last one we let through is unanswered (at most `answerWaitMs`), or within `everyMs` of an answer of
 * `chargeBytes` or more; it is delayed, never dropped (a dropped message is one Automerge never sends again).
 * Later sync messages of that peer for that document wait behind it, so the Repo gets them in order; a waiting
 * message that carries no change and no reset is merged into the next one (taken out: the next one sets every part
 * of the sync state it would, and the Repo answers that one), so asks and other messages in any mix collapse into
 * one or two. A message that is no ask, arriving behind a waiting one, delivers them all at once, once per
 * `everyMs`: an honest peer's ask crossed our answer, and its next message, sent once it had the answer, must not
 * wait. What waits is delivered when the budget allows, when bounds are passed, or before the peer leaves the Repo
 * (`release`).
 */
export interface ResendBudgetOptions {
  readonly everyMs: number
  readonly answerWaitMs: number
  readonly chargeBytes: number
  readonly now: () => number
  readonly after: (ms: number, fire: () => void) => () => void
  /** Hands a message to the Repo. */
  readonly deliver: (peer: string, message: Message) => void
  /** A message started waiting, or was merged into the next one. */
  readonly count: (kind: 'held' | 'merged') => void
}

interface Waiting {
  readonly message: Message
  readonly data: Uint8Array
  readonly shape: SyncShape | undefined
  counted: boolean
}

interface DocumentBudget {
  readonly queue: Waiting[]
  /** An ask we let through and saw no answer to yet. */
  askedAt?: number
  /** Our last answer to an ask that cost `chargeBytes` or more. */
  chargedAt?: number
  /** When a message that is no ask last delivered what waited before it. */
  flushedAt?: number
  cancel?: () => void
}

interface PeerBudget {
  readonly documents: Map<string, DocumentBudget>
  waiting: number
  waitingBytes: number
}

/** Messages that may wait per document: past it the oldest goes through (an honest peer has one or two). */
export const MAX_WAITING_PER_DOCUMENT = 8
/** Messages and bytes that may wait per peer (two frames of the largest size); past either the oldest go through. */
const MAX_WAITING_PER_PEER = 256
const MAX_WAITING_BYTES_PER_PEER = 32 * 1024 * 1024
/** Documents whose budget is kept per peer; past it the oldest is let go (its waiting messages delivered). */
const MAX_DOCUMENTS_PER_PEER = 4_096

const isAsk = (shape: SyncShape | undefined): boolean => shape !== undefined && (shape.noHeads || shape.fromStart)

/**
 * Whether `later` may stand in for `earlier`: both read, `earlier` brings no change, its reset (if any) is done
 * again by `later`, and its flags are overwritten by `later`'s. A `request` marks the peer as wanting the document,
 * so only a `request` stands in for one. Identical bytes always may (the Repo would answer the same).
 */
const mayStandIn = (earlier: Waiting, later: Waiting): boolean => {
  const [a, b] = [earlier.shape, later.shape]
  if (a === undefined || b === undefined) return false
  if (earlier.message.type === 'request' && later.message.type !== 'request') return false
  if (bytesEqual(earlier.data, later.data)) return true
  return !a.changes && (!a.reset || b.reset) && (!a.flags || b.flags)
}

export class ResendBudget {
  readonly #options: ResendBudgetOptions
  readonly #peers = new Map<string, PeerBudget>()

  constructor(options: ResendBudgetOptions) {
    this.#options = options
  }

  /** An inbound message from `peer`, checked and screened: delivered now, or after what waits before it. */
  offer(peer: string, message: Message): void {
    const { documentId, data } = message
    if ((message.type !== 'sync' && message.type !== 'request') || documentId === undefined || data === undefined) {
      // Ephemeral and doc-unavailable messages touch no sync state: they need not wait.
      this.#options.deliver(peer, message)
      return
    }
    const budget = this.#peer(peer)
    const document = this.#document(budget, peer, documentId)
    document.queue.push({ message, data, shape: readSyncShape(data), counted: false })
    budget.waiting += 1
    budget.waitingBytes += data.length
    this.#merge(budget, document)
    const now = this.#options.now()
    const flushed = document.flushedAt
    if (document.queue.length > 1 && !isAsk(document.queue.at(-1)?.shape)) {
      if (flushed === undefined || now - flushed >= this.#options.everyMs) {
        document.flushedAt = now
        while (document.queue.length > 0) this.#shift(peer, budget, document)
      }
    }
    while (document.queue.length > MAX_WAITING_PER_DOCUMENT) this.#shift(peer, budget, document)
    this.#pump(peer, documentId, document)
    this.#bound(peer, budget)
  }

  /** We sent `peer` a message about `documentId` of `bytes` (0: none went out): it answers the ask let through. */
  answered(peer: string, documentId: string, bytes: number): void {
    const document = this.#peers.get(peer)?.documents.get(documentId)
    if (document?.askedAt === undefined) return
    delete document.askedAt
    if (bytes >= this.#options.chargeBytes) document.chargedAt = this.#options.now()
    // After the Repo's turn: it is not handed a message from inside its own send.
    queueMicrotask(() => {
      if (this.#peers.get(peer)?.documents.get(documentId) === document) this.#pump(peer, documentId, document)
    })
  }

  /** Delivers, in order, everything of `peer`'s that waits: before the peer leaves the Repo, nothing is lost. */
  release(peer: string): void {
    const budget = this.#peers.get(peer)
    if (budget === undefined) return
    for (const document of budget.documents.values()) {
      while (document.queue.length > 0) this.#force(peer, budget, document)
    }
  }

  /** Forgets `peer` (no link reaches it any more): what waits is dropped, so `release` it first if it counts. */
  forget(peer: string): void {
    const budget = this.#peers.get(peer)
    if (budget === undefined) return
    for (const document of budget.documents.values()) document.cancel?.()
    this.#peers.delete(peer)
  }

  #peer(peer: string): PeerBudget {
    const known = this.#peers.get(peer)
    if (known !== undefined) return known
    const budget: PeerBudget = { documents: new Map(), waiting: 0, waitingBytes: 0 }
    this.#peers.set(peer, budget)
    return budget
  }

  #document(budget: PeerBudget, peer: string, documentId: string): DocumentBudget {
    const known = budget.documents.get(documentId)
    if (known !== undefined) return known
    const document: DocumentBudget = { queue: [] }
    budget.documents.set(documentId, document)
    if (budget.documents.size > MAX_DOCUMENTS_PER_PEER) {
      const [oldestId, oldest] = budget.documents.entries().next().value ?? []
      if (oldestId !== undefined && oldest !== undefined) {
        while (oldest.queue.length > 0) this.#force(peer, budget, oldest)
        oldest.cancel?.()
        budget.documents.delete(oldestId)
      }
    }
    return document
  }

  /** From the newest back: a waiting message that the next one may stand in for is taken out. */
  #merge(budget: PeerBudget, document: DocumentBudget): void {
    const { queue } = document
    for (let i = queue.length - 2; i >= 0; i--) {
      const earlier = queue[i]
      const later = queue[i + 1]
      if (earlier === undefined || later === undefined || !mayStandIn(earlier, later)) return
      queue.splice(i, 1)
      budget.waiting -= 1
      budget.waitingBytes -= earlier.data.length
      this.#options.count('merged')
    }
  }

  /** When the next ask may go through; undefined if now. */
  #blockedUntil(document: DocumentBudget, now: number): number | undefined {
    const { everyMs, answerWaitMs } = this.#options
    const until = Math.max(
      document.askedAt === undefined ? -Infinity : document.askedAt + answerWaitMs,
      document.chargedAt === undefined ? -Infinity : document.chargedAt + everyMs,
    )
    return until > now ? until : undefined
  }

  /** Delivers what may go now, in order, up to an ask the budget holds; then waits for its time. */
  #pump(peer: string, documentId: string, document: DocumentBudget): void {
    const budget = this.#peers.get(peer)
    if (budget === undefined) return
    document.cancel?.()
    delete document.cancel
    for (let head = document.queue[0]; head !== undefined; head = document.queue[0]) {
      const now = this.#options.now()
      if (isAsk(head.shape)) {
        const until = this.#blockedUntil(document, now)
        if (until !== undefined) {
          if (!head.counted) {
            head.counted = true
            this.#options.count('held')
          }
          document.cancel = this.#options.after(until - now, () => {
            this.#pump(peer, documentId, document)
          })
          return
        }
      }
      this.#shift(peer, budget, document)
    }
    // Forgotten once nothing it holds counts any more.
    const now = this.#options.now()
    const flushed = document.flushedAt
    if (
      this.#blockedUntil(document, now) === undefined &&
      (flushed === undefined || now - flushed >= this.#options.everyMs)
    ) {
      budget.documents.delete(documentId)
    }
  }

  /** Delivers the oldest waiting message, whatever the budget says. */
  #force(peer: string, budget: PeerBudget, document: DocumentBudget): void {
    document.cancel?.()
    delete document.cancel
    this.#shift(peer, budget, document)
  }

  #shift(peer: string, budget: PeerBudget, document: DocumentBudget): void {
    const head = document.queue.shift()
    if (head === undefined) return
    budget.waiting -= 1
    budget.waitingBytes -= head.data.length
    if (isAsk(head.shape)) document.askedAt = this.#options.now()
    this.#options.deliver(peer, head.message)
  }

  /** Past the peer's bounds, the oldest documents' waiting messages go through. */
  #bound(peer: string, budget: PeerBudget): void {
    for (const [documentId, document] of budget.documents) {
      if (budget.waiting <= MAX_WAITING_PER_PEER && budget.waitingBytes <= MAX_WAITING_BYTES_PER_PEER) return
      while (document.queue.length > 0) this.#force(peer, budget, document)
      this.#pump(peer, documentId, document)
    }
  }
}
