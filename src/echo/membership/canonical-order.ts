/**
 * From a bag of log entries (any order, duplicates, junk) to the verified
 * entries in one canonical order that every peer computes the same way, and
 * which of them a device revocation voids.
 */
import type { Clock } from '../../base'
import type { Credential, CredentialId, PublicKey } from '../../halo'
import { decodeCredential, resolveRevocations, signingDevices, verifyCredential } from '../../halo'

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
  'revoked-device',
] as const
export type IgnoreReason = (typeof IGNORE_REASONS)[number]

export interface Ignored {
  readonly id: string
  readonly reason: IgnoreReason
}

export interface Ordered {
  /**
   * Verified entries, parents before children; among entries ready together,
   * removals first, then by id. Entries in `revoked` stay here, so every
   * entry's ancestors are here too.
   */
  readonly entries: readonly Credential[]
  /** Entries that failed to decode or verify, or follow one that did. */
  readonly ignored: readonly Ignored[]
  /** Entries of `entries` without effect because of a device revocation (see `voidedByRevocation`). */
  readonly revoked: ReadonlySet<CredentialId>
}

const idOf = (value: unknown): string =>
  typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string' ? value.id : '?'

/** Two valid entries can share an id only by carrying different device chains; keep one, by a fixed rule. */
const preferred = (a: Credential, b: Credential): Credential => {
  const key = (c: Credential) => `${c.proof.chain?.id ?? ''}:${c.proof.signature}`
  return key(a) <= key(b) ? a : b
}

const rank = (entry: Credential): string => `${entry.assertion.kind === 'MemberRemoved' ? 0 : 1}:${entry.id}`

export const canonicalOrder = (raw: readonly unknown[], clock: Clock): Ordered => {
  const ignored = new Map<string, Ignored['reason']>()
  const decoded: Credential[] = []
  for (const value of raw) {
    const result = decodeCredential(value)
    if (result.ok) decoded.push(result.value)
    else ignored.set(idOf(value), 'malformed')
  }
  const present = new Set<string>(decoded.map((entry) => entry.id))
  const byId = new Map<CredentialId, Credential>()
  const variants = new Map<CredentialId, Credential[]>()
  for (const entry of decoded) {
    // Revocations are applied below, with the positions of the revocations in the log.
    const verified = verifyCredential(entry, { clock, hasCredential: (id) => present.has(id) })
    if (!verified.ok) {
      if (!byId.has(entry.id)) ignored.set(entry.id, 'invalid')
      continue
    }
    const known = byId.get(entry.id)
    byId.set(entry.id, known === undefined ? entry : preferred(known, entry))
    const copies = variants.get(entry.id) ?? []
    copies.push(entry)
    variants.set(entry.id, copies)
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
  const revoked = voidedByRevocation(entries, variants)
  return { entries, ignored: [...ignored].map(([id, reason]) => ({ id, reason })), revoked }
}

/** The identity an entry names as a member, if any. */
const namedMember = (assertion: Credential['assertion'], subject: PublicKey): PublicKey[] => {
  if (assertion.kind === 'SpaceGenesis') return [assertion.owner]
  return assertion.kind === 'SpaceMember' ? [subject] : []
}

/**
 * The DeviceRevoked entries of the log, resolved per identity by HALO's rule
 * (`resolveRevocations`: the identity key always wins, a revoked device's
 * revocations stop counting, devices that revoke each other are both revoked),
 * then applied from the revocation on: an entry signed through a revoked device
 * takes effect only if it is an ancestor of every revocation with parents that
 * holds that device revoked (the revoker had seen it). Revocations without
 * parents (HALO's own, copied into the log) count for who is revoked but mark no
 * position; if only such revocations hold a device, none of its entries count.
 * Voided are those entries (never a MemberRemoved: removal is the safe side),
 * and the revocations that do not count. An entry whose id was signed with
 * several chains is voided only if every chain is.
 */
const voidedByRevocation = (
  entries: readonly Credential[],
  variants: ReadonlyMap<CredentialId, readonly Credential[]>,
): Set<CredentialId> => {
  // Only an identity the log names as a member can have entries that count; nobody else's revocations are resolved.
  const named = new Set(entries.flatMap(({ assertion, subject }) => namedMember(assertion, subject)))
  const byIssuer = new Map<PublicKey, Credential[]>()
  for (const entry of entries) {
    if (entry.assertion.kind !== 'DeviceRevoked' || !named.has(entry.issuer)) continue
    const list = byIssuer.get(entry.issuer) ?? []
    list.push(...(variants.get(entry.id) ?? [entry]))
    byIssuer.set(entry.issuer, list)
  }
  const voided = new Set<CredentialId>()
  if (byIssuer.size === 0) return voided
  const verdicts = new Map([...byIssuer].map(([issuer, list]) => [issuer, resolveRevocations(issuer, list)]))
  const parentsOf = new Map(entries.map((entry) => [entry.id, entry.parents]))
  const ancestors = new Map<CredentialId, ReadonlySet<CredentialId>>()
  const ancestorsOf = (id: CredentialId): ReadonlySet<CredentialId> => {
    const known = ancestors.get(id)
    if (known !== undefined) return known
    const seen = new Set<CredentialId>()
    const stack = [...(parentsOf.get(id) ?? [])]
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (seen.has(next)) continue
      seen.add(next)
      stack.push(...(parentsOf.get(next) ?? []))
    }
    ancestors.set(id, seen)
    return seen
  }
  const voids = (entry: Credential): boolean => {
    const verdict = verdicts.get(entry.issuer)
    if (verdict === undefined) return false
    if (entry.assertion.kind === 'DeviceRevoked') {
      // Whether a revocation counts does not depend on its position: HALO's rule decides.
      return !(verdict.holding.get(entry.subject) ?? []).some((holding) => holding.id === entry.id)
    }
    // Removal is the safe side: no revocation brings back a member a device removed (a thief's cycle would).
    if (entry.assertion.kind === 'MemberRemoved') return false
    return signingDevices(entry).some((device) => {
      const holding = verdict.holding.get(device)
      if (holding === undefined) return false
      // A revocation without parents (a copy of HALO's) decides who is revoked but marks no position.
      const placed = holding.filter((revocation) => revocation.parents.length > 0)
      return placed.length === 0 || placed.some((revocation) => !ancestorsOf(revocation.id).has(entry.id))
    })
  }
  for (const entry of entries) {
    if ((variants.get(entry.id) ?? [entry]).every(voids)) voided.add(entry.id)
  }
  return voided
}
