/**
 * Remembers which credentials passed the checks that never change: id, subject
 * key and signature. A credential's id is the hash of everything it signs (the
 * signer included), so (id, signature) names one verdict forever. Chains repeat
 * endlessly (every entry a device writes carries the same AuthorizedDevice), so
 * this turns most chain links into one SHA-256. Times, parents and revocations
 * are still checked on every call. Bounded; the oldest entry goes first.
 */
export class VerifiedCache {
  readonly #capacity: number
  readonly #entries = new Set<string>()

  constructor(capacity = 10_000) {
    this.#capacity = capacity
  }

  has(id: string, signature: string): boolean {
    const key = `${id}:${signature}`
    if (!this.#entries.has(key)) return false
    // Refresh: a Set iterates in insertion order, so re-adding makes it the newest.
    this.#entries.delete(key)
    this.#entries.add(key)
    return true
  }

  add(id: string, signature: string): void {
    this.#entries.add(`${id}:${signature}`)
    if (this.#entries.size <= this.#capacity) return
    const oldest = this.#entries.values().next()
    if (oldest.done !== true) this.#entries.delete(oldest.value)
  }

  get size(): number {
    return this.#entries.size
  }
}
