/**
 * From a bag of log entries (any order, duplicates, junk) to the verified
 * entries in one canonical order that every peer computes the same way.
 */
import type { Credential, CredentialId } from '../../halo'
import { decodeCredential, verifyCredential } from '../../halo'

export const IGNORE_REASONS = [
  'malformed',
  'invalid',
  'invalid-parent',
  'before-genesis',
  'second-genesis',
  'other-space',
  'not-membership',
  'unauthorized',
  'removed-concurrently',
  'last-owner',
  'stale-epoch',
  'after-ignored',
  'issuer-removed',
  'conflicting-removal',
  'has-expiry',
  'not-a-member',
] as const
export type IgnoreReason = (typeof IGNORE_REASONS)[number]

export interface Ignored {
  readonly id: string
  readonly reason: IgnoreReason
}

export interface Ordered {
  /** Verified entries, parents before children; among entries ready together, removals first, then by id. */
  readonly entries: readonly Credential[]
  /** Entries that failed to decode or verify, or follow one that did. */
  readonly ignored: readonly Ignored[]
}

const idOf = (value: unknown): string =>
  typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string' ? value.id : '?'

/** Two valid entries can share an id only by carrying different device chains; keep one, by a fixed rule. */
const preferred = (a: Credential, b: Credential): Credential => {
  const key = (c: Credential) => `${c.proof.chain?.id ?? ''}:${c.proof.signature}`
  return key(a) <= key(b) ? a : b
}

const rank = (entry: Credential): string => `${entry.assertion.kind === 'MemberRemoved' ? 0 : 1}:${entry.id}`

export const canonicalOrder = (raw: readonly unknown[]): Ordered => {
  const ignored = new Map<string, Ignored['reason']>()
  const decoded: Credential[] = []
  for (const value of raw) {
    const result = decodeCredential(value)
    if (result.ok) decoded.push(result.value)
    else ignored.set(idOf(value), 'malformed')
  }
  const present = new Set<string>(decoded.map((entry) => entry.id))
  const byId = new Map<CredentialId, Credential>()
  for (const entry of decoded) {
    // Times are judged at the entry's own issuedAt, never the wall clock: every peer decides alike, at any time.
    const clock = { now: () => entry.issuedAt }
    const verified = verifyCredential(entry, { clock, hasCredential: (id) => present.has(id) })
    if (!verified.ok) {
      if (!byId.has(entry.id)) ignored.set(entry.id, 'invalid')
      continue
    }
    const known = byId.get(entry.id)
    byId.set(entry.id, known === undefined ? entry : preferred(known, entry))
    ignored.delete(entry.id)
  }

  // Kahn's algorithm; an entry whose parent is not valid is not valid either.
  const waiting = new Map<CredentialId, number>()
  const children = new Map<CredentialId, CredentialId[]>()
  const ready: Credential[] = []
  for (const entry of byId.values()) {
    const parents = new Set(entry.parents)
    waiting.set(entry.id, parents.size)
    for (const parent of parents) children.set(parent, [...(children.get(parent) ?? []), entry.id])
    if (parents.size === 0) ready.push(entry)
  }
  const entries: Credential[] = []
  while (ready.length > 0) {
    ready.sort((a, b) => (rank(a) < rank(b) ? -1 : 1))
    const next = ready.shift()
    if (next === undefined) break
    entries.push(next)
    for (const child of children.get(next.id) ?? []) {
      const left = (waiting.get(child) ?? 0) - 1
      waiting.set(child, left)
      const entry = byId.get(child)
      if (left === 0 && entry !== undefined) ready.push(entry)
    }
  }
  const placed = new Set(entries.map((entry) => entry.id))
  for (const id of byId.keys()) if (!placed.has(id)) ignored.set(id, 'invalid-parent')
  return { entries, ignored: [...ignored].map(([id, reason]) => ({ id, reason })) }
}
