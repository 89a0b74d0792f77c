/**
 * Standing in the removal cascade (cascade.ts), made so that neither a
 * removed member nor an outsider can change it with entries written after the
 * fact:
 *
 * - Counted admissions: a SpaceMember of another key that verifies (the
 *   fold's check) and descends from its issuer's first counted admission (the
 *   genesis owner's: from the genesis), taken in canonical order. An
 *   outsider's junk (bad signature, no parents, or a puppet's entries that
 *   descend from no admission of theirs) counts for nothing.
 * - Eligible: the keys whose removals and demotions are tried. Those that were
 *   owner or admin in the first pass, and anyone an eligible key made owner or
 *   admin by a counted admission (whether or not that took effect there: a
 *   backdated entry may have voided it). Keys that no member ever raised (junk
 *   signers) cost no extra pass.
 * - Seniority: the depth in the DAG of a key's earliest counted admission by an
 *   eligible key, then that admission's id; the genesis owner is the most
 *   senior. Depth and id depend on the entry's ancestors only, so new entries
 *   cannot make a member junior, and a member's own entries cannot make her
 *   more senior than her first admission.
 */
import type { Credential, CredentialId, PublicKey } from '../../halo'
import type { Check } from './pass'
import { mayRemoveOthers } from './policy'
import type { Reach } from './reach'

export interface Standing {
  readonly eligible: ReadonlySet<PublicKey>
  /** Below zero when `a` is senior to `b`. */
  compare(a: PublicKey, b: PublicKey): number
}

/** `entries` in canonical order; `genesis` the entry that took effect as the space's genesis. */
export const standingOf = (
  entries: readonly Credential[],
  genesis: Credential | undefined,
  powerful: ReadonlySet<PublicKey>,
  reach: Reach,
  check: Check,
): Standing => {
  const genesisOwner = genesis?.assertion.kind === 'SpaceGenesis' ? genesis.assertion.owner : undefined
  const depth = new Map<CredentialId, number>()
  for (const entry of entries) depth.set(entry.id, 1 + Math.max(-1, ...entry.parents.map((id) => depth.get(id) ?? 0)))
  const eligible = new Set<PublicKey>(powerful)
  // The entry each key's membership first began with (in canonical order): its admissions must descend from it.
  const began = new Map<PublicKey, CredentialId>()
  if (genesis !== undefined && genesisOwner !== undefined) {
    eligible.add(genesisOwner)
    began.set(genesisOwner, genesis.id)
  }
  const first = new Map<PublicKey, { depth: number; id: string }>()
  if (genesisOwner !== undefined) first.set(genesisOwner, { depth: -1, id: '' })
  for (const entry of entries) {
    const { assertion } = entry
    if (assertion.kind !== 'SpaceMember' || entry.issuer === entry.subject || !eligible.has(entry.issuer)) continue
    const from = began.get(entry.issuer)
    if (from === undefined || !reach.descends(entry.id, from) || check(entry) === 'invalid') continue
    if (!began.has(entry.subject)) began.set(entry.subject, entry.id)
    if (mayRemoveOthers(assertion.role)) eligible.add(entry.subject)
    const candidate = { depth: depth.get(entry.id) ?? 0, id: entry.id }
    const known = first.get(entry.subject)
    if (
      known === undefined ||
      candidate.depth < known.depth ||
      (candidate.depth === known.depth && candidate.id < known.id)
    )
      first.set(entry.subject, candidate)
  }
  const none = { depth: Number.POSITIVE_INFINITY, id: '' }
  return {
    eligible,
    compare: (a, b) => {
      const left = first.get(a) ?? none
      const right = first.get(b) ?? none
      if (left.depth !== right.depth) return left.depth < right.depth ? -1 : 1
      return left.id < right.id ? -1 : left.id > right.id ? 1 : 0
    },
  }
}
