/**
 * From a bag of log entries (any order, duplicates, junk) to one canonical
 * order that every peer computes the same way, and the check of an entry's
 * signature, which the fold asks for only when the entry could count.
 */
import type { Credential, CredentialId } from '../../halo'
import type { VerifiedCache } from '../../halo'
import { copyKey, decodeCredential, idMatchesContent, verifyCredential } from '../../halo'

export type IgnoreReason =
  | 'malformed'
  | 'invalid'
  | 'invalid-parent'
  | 'before-genesis'
  | 'second-genesis'
  | 'other-space'
  | 'not-membership'
  | 'unauthorized'
  | 'removed-concurrently'
  | 'last-owner'
  | 'stale-epoch'
  | 'after-ignored'
  | 'issuer-removed'
  // An entry of a member who left, concurrent with her leave, that no other member saw first (rule 4c).
  | 'issuer-left'
  | 'conflicting-removal'
  | 'has-expiry'
  | 'not-a-member'
  | 'revoked-device'
  // Invitations (invitations.ts).
  | 'invitation-exists'
  | 'unknown-invitation'
  | 'awaiting-host'
  | 'invitation-cancelled'
  | 'invitation-expired'
  | 'invitation-used'
  | 'would-downgrade'
  | 'already-member'

export interface Ignored {
  readonly id: string
  readonly reason: IgnoreReason
}

const idOf = (value: unknown): string =>
  typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string' ? value.id : '?'

/**
 * Two copies of one id differ only in their proof (another signature, or another chain at any depth: a chain's id
 * does not cover the chain under it, so copies that differ further down are two); prefer one by a fixed rule.
 */
export const proofKey: (c: Credential) => string = copyKey

export const rank = (entry: Credential): string => `${entry.assertion.kind === 'MemberRemoved' ? 0 : 1}:${entry.id}`

/** Decodes raw values and keeps those whose id holds; no signature is checked here. */
export const decodeEntries = (
  raw: readonly unknown[],
): { entries: Credential[]; ignored: Map<string, Ignored['reason']> } => {
  const ignored = new Map<string, Ignored['reason']>()
  const entries: Credential[] = []
  for (const value of raw) {
    const result = decodeCredential(value)
    if (!result.ok) ignored.set(idOf(value), 'malformed')
    else if (!idMatchesContent(result.value)) ignored.set(result.value.id, 'invalid')
    else entries.push(result.value)
  }
  return { entries, ignored }
}

/** Adds a copy under its id, keeping the preferred copy first; false when that copy was known. */
export const addCopy = (copies: Map<CredentialId, Credential[]>, entry: Credential): boolean => {
  const known = copies.get(entry.id)
  if (known === undefined) {
    copies.set(entry.id, [entry])
    return true
  }
  if (known.some((copy) => proofKey(copy) === proofKey(entry))) return false
  known.push(entry)
  known.sort((a, b) => (proofKey(a) < proofKey(b) ? -1 : 1))
  return true
}

/** Kahn's algorithm over one copy per id, with a heap for the ready entries; an entry with a missing parent waits. */
export const orderCopies = (
  copies: ReadonlyMap<CredentialId, readonly Credential[]>,
): { entries: Credential[]; placed: Set<CredentialId> } => {
  const waiting = new Map<CredentialId, number>()
  const children = new Map<CredentialId, CredentialId[]>()
  const ready = new Heap()
  for (const [id, [entry]] of copies) {
    if (entry === undefined) continue
    const parents = new Set(entry.parents)
    waiting.set(id, parents.size)
    for (const parent of parents) {
      const list = children.get(parent)
      if (list === undefined) children.set(parent, [id])
      else list.push(id)
    }
    if (parents.size === 0) ready.push(entry)
  }
  const entries: Credential[] = []
  const placed = new Set<CredentialId>()
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    entries.push(next)
    placed.add(next.id)
    for (const child of children.get(next.id) ?? []) {
      const left = (waiting.get(child) ?? 0) - 1
      waiting.set(child, left)
      const entry = copies.get(child)?.[0]
      if (left === 0 && entry !== undefined) ready.push(entry)
    }
  }
  return { entries, placed }
}

/** A binary min-heap of entries by `rank`. */
class Heap {
  readonly #items: { key: string; entry: Credential }[] = []

  push(entry: Credential): void {
    const items = this.#items
    items.push({ key: rank(entry), entry })
    for (let at = items.length - 1; at > 0;) {
      const up = (at - 1) >> 1
      const [child, parent] = [items[at], items[up]]
      if (child === undefined || parent === undefined || parent.key <= child.key) break
      ;[items[at], items[up]] = [parent, child]
      at = up
    }
  }

  pop(): Credential | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top?.entry
    items[0] = last
    for (let at = 0; ;) {
      const [left, right] = [2 * at + 1, 2 * at + 2]
      let least = at
      if ((items[left]?.key ?? '\uffff') < (items[least]?.key ?? '')) least = left
      if ((items[right]?.key ?? '\uffff') < (items[least]?.key ?? '')) least = right
      if (least === at) break
      const [a, b] = [items[at], items[least]]
      if (a === undefined || b === undefined) break
      ;[items[at], items[least]] = [b, a]
      at = least
    }
    return top.entry
  }
}

/**
 * Checks the copies of one entry until one holds: signature, chain and times.
 * Times are judged at the entry's own issuedAt, never the wall clock, so every
 * peer decides alike at any time; `cache` skips signatures checked before.
 */
export const verifyEntry = (
  copies: readonly Credential[],
  known: (id: CredentialId) => boolean,
  cache: VerifiedCache,
): Credential | undefined =>
  copies.find((entry) => {
    const clock = { now: () => entry.issuedAt }
    return verifyCredential(entry, { clock, hasCredential: known, cache }).ok
  })
