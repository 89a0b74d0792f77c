/**
 * How often a peer may make us send a document from the start (a sync message that says it holds nothing, or
 * compares from the document's start): once per document per period, per device (a peer's Repo id is fresh each
 * leader term, its device is the one its handshake proved). An ask costs once our answer to it is `chargeBytes` or
 * more; a smaller answer (the peer held the same changes: two devices that never compared before) costs nothing, so
 * honest devices are not held back. Until an ask is answered, another one for the same document waits (asks sent
 * all at once would otherwise each pass before the first answer). Memory is bounded: the oldest go first.
 */
interface Given {
  /** An ask let through and not answered yet. */
  askedAt?: number
  /** When an answer last cost. */
  chargedAt?: number
}

export class ResendBudget {
  readonly #everyMs: number
  readonly #chargeBytes: number
  readonly #now: () => number
  readonly #given = new Map<string, Map<string, Given>>()

  constructor(options: { everyMs: number; chargeBytes: number; now: () => number }) {
    this.#everyMs = options.everyMs
    this.#chargeBytes = options.chargeBytes
    this.#now = options.now
  }

  /** Whether `device` may ask for `documentId` from the start now. */
  ask(device: string, documentId: string): boolean {
    const now = this.#now()
    const documents = this.#given.get(device) ?? new Map<string, Given>()
    const given = documents.get(documentId) ?? {}
    const recent = (at: number | undefined): boolean => at !== undefined && now - at < this.#everyMs
    if (recent(given.chargedAt) || recent(given.askedAt)) return false
    documents.delete(documentId)
    documents.set(documentId, { ...given, askedAt: now })
    this.#given.delete(device)
    this.#given.set(device, documents)
    trim(documents, MAX_DOCUMENTS_PER_DEVICE)
    trim(this.#given, MAX_DEVICES)
    return true
  }

  /** A sync message of `bytes` went to `device` about `documentId`: it answers an ask, and costs if it is large. */
  sent(device: string, documentId: string, bytes: number): void {
    const given = this.#given.get(device)?.get(documentId)
    if (given?.askedAt === undefined) return
    delete given.askedAt
    if (bytes >= this.#chargeBytes) given.chargedAt = this.#now()
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
