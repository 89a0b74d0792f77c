/**
 * Notes' text documents are fetched in a bounded queue, after the objects: fetching many small documents at once
 * slows down faster than linearly (2,500 took 91-104 s in Node), and the note list and tasks must not wait for
 * every text. A note's text is indexed once its document arrives; progress per space says how far it got.
 */
import type { Observable } from '../base'
import { Cell } from '../base'
import type { SpaceId } from './ids'
import type { DocumentId } from './space/documents'

export interface Progress {
  readonly done: number
  readonly total: number
}

/** How many text documents are fetched at once. */
const TEXT_FETCHES = 4

export class TextQueue {
  readonly #fetch: (id: DocumentId) => Promise<void>
  readonly #limit: number
  readonly #waiting: { readonly space: SpaceId; readonly id: DocumentId }[] = []
  readonly #seen = new Set<DocumentId>()
  readonly #progress = new Map<SpaceId, Cell<Progress>>()
  readonly #idle: (() => void)[] = []
  #active = 0

  /** `fetch` resolves once the document is here or known to be unavailable for now. */
  constructor(fetch: (id: DocumentId) => Promise<void>, limit = TEXT_FETCHES) {
    this.#fetch = fetch
    this.#limit = limit
  }

  /** Queues a text document once; a document queued before is not queued again. */
  enqueue(space: SpaceId, id: DocumentId): void {
    if (this.#seen.has(id)) return
    this.#seen.add(id)
    const progress = this.#cell(space)
    progress.set({ ...progress.get(), total: progress.get().total + 1 })
    this.#waiting.push({ space, id })
    this.#pump()
  }

  /** Drops a space's texts still waiting (it left this device); those being fetched finish on their own. */
  forget(space: SpaceId): void {
    const kept: { readonly space: SpaceId; readonly id: DocumentId }[] = []
    for (const entry of this.#waiting) {
      if (entry.space === space) this.#seen.delete(entry.id)
      else kept.push(entry)
    }
    this.#waiting.splice(0, this.#waiting.length, ...kept)
    this.#pump()
  }

  /** The space's texts fetched so far, of those queued. */
  progress(space: SpaceId): Observable<Progress> {
    return this.#cell(space)
  }

  #cell(space: SpaceId): Cell<Progress> {
    let cell = this.#progress.get(space)
    if (cell === undefined) {
      cell = new Cell<Progress>({ done: 0, total: 0 })
      this.#progress.set(space, cell)
    }
    return cell
  }

  /** Texts queued or being fetched. */
  get pending(): number {
    return this.#active + this.#waiting.length
  }

  /** Resolves when nothing is queued or being fetched. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  #pump(): void {
    while (this.#active < this.#limit) {
      const next = this.#waiting.shift()
      if (next === undefined) break
      this.#active++
      void this.#fetch(next.id)
        .catch(() => undefined)
        .finally(() => {
          this.#active--
          const progress = this.#cell(next.space)
          progress.set({ ...progress.get(), done: progress.get().done + 1 })
          this.#pump()
        })
    }
    if (this.pending === 0) for (const resolve of this.#idle.splice(0)) resolve()
  }
}
