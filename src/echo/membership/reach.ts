/**
 * Which log entries descend from which, over entries in a topological order.
 * The fold asks "does this entry descend from that one" for a few entries
 * (the grant that made the issuer a member, the removals of a subject), so
 * the descendants of an asked-about entry are found once, by a walk forward,
 * and kept; an entry added later joins the sets its parents are in.
 */
import type { Credential, CredentialId } from '../../halo'

export class Reach {
  readonly #index = new Map<CredentialId, number>()
  readonly #children = new Map<CredentialId, CredentialId[]>()
  readonly #parents = new Map<CredentialId, readonly CredentialId[]>()
  readonly #descendants = new Map<CredentialId, Set<CredentialId>>()
  readonly #ancestors = new Map<CredentialId, Set<CredentialId>>()

  constructor(entries: readonly Credential[] = []) {
    for (const entry of entries) this.add(entry)
  }

  /** Adds an entry whose parents are all added (topological order). */
  add(entry: Credential): void {
    if (this.#index.has(entry.id)) return
    this.#index.set(entry.id, this.#index.size)
    this.#parents.set(entry.id, entry.parents)
    for (const parent of entry.parents) {
      const children = this.#children.get(parent)
      if (children === undefined) this.#children.set(parent, [entry.id])
      else children.push(entry.id)
      // Only the sets already made need the new entry; others are made from scratch when asked.
    }
    for (const [root, set] of this.#descendants) {
      if (entry.parents.some((parent) => parent === root || set.has(parent))) set.add(entry.id)
    }
  }

  /** Whether `later` has `earlier` among its ancestors. */
  descends(later: CredentialId, earlier: CredentialId): boolean {
    const from = this.#index.get(earlier)
    const to = this.#index.get(later)
    if (from === undefined || to === undefined || to <= from) return false
    return this.#descendantsOf(earlier).has(later)
  }

  /** Neither descends from the other (and they are not the same entry); the walks are made from `b` only. */
  concurrent(a: CredentialId, b: CredentialId): boolean {
    return a !== b && !this.descends(a, b) && !this.ancestorsOf(b).has(a)
  }

  /** Every ancestor of `id` (a walk back, kept). */
  ancestorsOf(id: CredentialId): ReadonlySet<CredentialId> {
    const known = this.#ancestors.get(id)
    if (known !== undefined) return known
    const set = new Set<CredentialId>()
    const stack = [...(this.#parents.get(id) ?? [])]
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (set.has(next)) continue
      set.add(next)
      stack.push(...(this.#parents.get(next) ?? []))
    }
    this.#ancestors.set(id, set)
    return set
  }

  #descendantsOf(id: CredentialId): ReadonlySet<CredentialId> {
    const known = this.#descendants.get(id)
    if (known !== undefined) return known
    const set = new Set<CredentialId>()
    const stack = [...(this.#children.get(id) ?? [])]
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (set.has(next)) continue
      set.add(next)
      stack.push(...(this.#children.get(next) ?? []))
    }
    this.#descendants.set(id, set)
    return set
  }
}
