/**
 * The parents of a new log entry. Heads are applied entries only, so an entry
 * naming every head describes what its issuer has seen. halo's decoder refuses
 * more than 64 parents, and an entry it refuses never counts, so beyond 64
 * heads (65 concurrent entries that took effect) we choose, and chose a bounded
 * choice over merge entries: it needs no new credential kind, and the entries
 * the fold's rules look at are always among the chosen ones (see below); every
 * entry written later names the heads left out this time, 63 more each time.
 */
import type { Credential, CredentialId, PublicKey } from '../../halo'

/** What `decodeCredential` (halo, decode.ts) accepts; a test keeps the two in step. */
export const MAX_ENTRY_PARENTS = 64

export interface ParentRequest {
  readonly heads: readonly CredentialId[]
  /** The log's entries by id, to look back from a head. */
  readonly entries: ReadonlyMap<CredentialId, Credential>
  /** Canonical positions of applied entries (the later, the more recent). */
  readonly positions: ReadonlyMap<CredentialId, number>
  readonly issuer: PublicKey
  readonly subject: PublicKey
}

/**
 * Every head when there are at most 64. Otherwise heads whose history has an
 * entry by or about the issuer or the subject come first (so the new entry
 * descends from their removals and grants, as rules 3 and 4 require, and a
 * removal covers what its subject did before it), then the most recent.
 */
export const chooseParents = (request: ParentRequest): CredentialId[] => {
  const { heads, entries, positions, issuer, subject } = request
  if (heads.length <= MAX_ENTRY_PARENTS) return [...heads]
  const involved = (entry: Credential) =>
    entry.issuer === issuer || entry.issuer === subject || entry.subject === issuer || entry.subject === subject
  // Whether an entry's history (itself included) involves them, found once per entry: a walk per head
  // would cost heads x history (a second at 2,000 of each).
  const known = new Map<CredentialId, boolean>()
  const relevant = (head: CredentialId): boolean => {
    const stack = [head]
    for (let id = stack.at(-1); id !== undefined; id = stack.at(-1)) {
      const entry = entries.get(id)
      if (known.has(id) || entry === undefined || involved(entry)) {
        if (!known.has(id)) known.set(id, entry !== undefined)
        stack.pop()
        continue
      }
      const pending = entry.parents.filter((parent) => !known.has(parent))
      if (pending.length > 0) stack.push(...pending)
      else {
        known.set(
          id,
          entry.parents.some((parent) => known.get(parent) === true),
        )
        stack.pop()
      }
    }
    return known.get(head) === true
  }
  const ranked = heads.map((id) => ({ id, relevant: relevant(id), position: positions.get(id) ?? -1 }))
  ranked.sort((a, b) =>
    a.relevant !== b.relevant ? (a.relevant ? -1 : 1) : b.position - a.position || (a.id < b.id ? -1 : 1),
  )
  return ranked
    .slice(0, MAX_ENTRY_PARENTS)
    .map((head) => head.id)
    .sort()
}
