/**
 * Standing in the removal cascade (cascade.ts), made so that a removed member
 * cannot change it with entries written after the fact:
 *
 * - Eligible: the keys whose removals are tried. Those that were owner or
 *   admin in the first pass, and anyone an eligible key made owner or admin
 *   (whether or not that took effect there: a backdated entry may have voided
 *   it). Keys that no member ever raised (junk signers) cost no extra pass.
 * - Seniority: the depth in the DAG of a key's first admission by another
 *   eligible key, then that admission's id; the genesis owner is the most
 *   senior. Depth and id depend on the entry's ancestors only, so new entries
 *   cannot make a member junior, and a member's own entries cannot make her
 *   more senior than her first admission.
 */
import type { Credential, CredentialId, PublicKey } from '../../halo'

export interface Standing {
  readonly eligible: ReadonlySet<PublicKey>
  /** Below zero when `a` is senior to `b`. */
  compare(a: PublicKey, b: PublicKey): number
}

export const standingOf = (
  entries: readonly Credential[],
  genesisOwner: PublicKey | undefined,
  powerful: ReadonlySet<PublicKey>,
): Standing => {
  const depth = new Map<CredentialId, number>()
  for (const entry of entries) depth.set(entry.id, 1 + Math.max(-1, ...entry.parents.map((id) => depth.get(id) ?? 0)))
  const admissions = entries.filter((entry) => entry.assertion.kind === 'SpaceMember' && entry.issuer !== entry.subject)
  const eligible = new Set<PublicKey>(powerful)
  if (genesisOwner !== undefined) eligible.add(genesisOwner)
  for (let grew = true; grew;) {
    grew = false
    for (const entry of admissions) {
      const raises = entry.assertion.kind === 'SpaceMember' && ['owner', 'admin'].includes(entry.assertion.role)
      if (!raises || eligible.has(entry.subject) || !eligible.has(entry.issuer)) continue
      eligible.add(entry.subject)
      grew = true
    }
  }
  const first = new Map<PublicKey, { depth: number; id: string }>()
  if (genesisOwner !== undefined) first.set(genesisOwner, { depth: -1, id: '' })
  for (const entry of admissions) {
    if (!eligible.has(entry.issuer)) continue
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
