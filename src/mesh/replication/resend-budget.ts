/**
 * How often a peer may ask us to start a document over (a sync message that says it holds nothing, or compares from
 * the document's start): once per document per period, per device (a peer's Repo id is fresh each leader term, its
 * device is the one its handshake proved). Memory is bounded: the oldest entries go first.
 */
export class ResendBudget {
  readonly #everyMs: number
  readonly #now: () => number
  /** Per device, per document, when its last start-over was let through; in that order (a Map keeps insertion). */
  readonly #given = new Map<string, Map<string, number>>()

  constructor(everyMs: number, now: () => number) {
    this.#everyMs = everyMs
    this.#now = now
  }

  /** Whether `device` may have `documentId` from the start now; if so, the period starts again. */
  take(device: string, documentId: string): boolean {
    const now = this.#now()
    const documents = this.#given.get(device) ?? new Map<string, number>()
    const last = documents.get(documentId)
    if (last !== undefined && now - last < this.#everyMs) return false
    documents.delete(documentId)
    documents.set(documentId, now)
    this.#given.delete(device)
    this.#given.set(device, documents)
    trim(documents, MAX_DOCUMENTS_PER_DEVICE)
    trim(this.#given, MAX_DEVICES)
    return true
  }
}

/** Two 10,000-document spaces' worth: a new device asks for each document from the start once. */
const MAX_DOCUMENTS_PER_DEVICE = 20_000
const MAX_DEVICES = 1_024

const trim = <V>(map: Map<string, V>, max: number): void => {
  for (const key of map.keys()) {
    if (map.size <= max) return
    map.delete(key)
  }
}
