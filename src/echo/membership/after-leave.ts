/**
 * Rule 4c: what a member who left signed concurrently with her leave. Her leave's parents are hers to pick, and so
 * are those of anything she signs afterwards, so the DAG alone cannot tell an entry her phone made while her laptop
 * left from one she signed a month later naming old parents (removals sort first, so it landed while she still held
 * her role, and a second leave naming old parents cut her off before her own earlier entries). What others saw can:
 * an entry of hers concurrent with one of her leaves takes effect, judged with the role she held before leaving,
 * when another member, whose membership does not rest on it, built on it without having seen that leave (a
 * witness); otherwise it is ignored (`issuer-left`), and what was built on it falls with it (rule 6).
 *
 * The cascade (cascade.ts) tries every such entry with its earlier role, keeps those a witness saw, and looks again
 * each time something is excluded: a witness admitted by another of her late entries goes when that entry goes.
 * Entries move from tried to kept to excluded only, so this ends.
 */
import type { Credential, CredentialId, PublicKey } from '../../halo'
import type { Check, Pass } from './pass'
import type { Reach } from './reach'

export const isLeave = (entry: Credential): boolean =>
  entry.assertion.kind === 'MemberRemoved' && entry.issuer === entry.subject

/** The entries that grant `key` a role: the genesis (for its owner) and SpaceMember entries naming it. */
const grantsOf = (entry: Credential): PublicKey | undefined => {
  const { assertion } = entry
  if (assertion.kind === 'SpaceGenesis') return assertion.owner
  return assertion.kind === 'SpaceMember' && entry.issuer !== entry.subject ? entry.subject : undefined
}

/** The leaves whose signature holds, by issuer: signed by her, whatever became of them in a pass. */
export const leavesBy = (entries: readonly Credential[], check: Check): ReadonlyMap<PublicKey, CredentialId[]> => {
  const leaves = new Map<PublicKey, CredentialId[]>()
  for (const entry of entries) {
    if (!isLeave(entry) || check(entry) === 'invalid') continue
    const known = leaves.get(entry.issuer)
    if (known === undefined) leaves.set(entry.issuer, [entry.id])
    else known.push(entry.id)
  }
  return leaves
}

/** Her leaves concurrent with `id`. */
const leavesAround = (
  id: CredentialId,
  key: PublicKey,
  leaves: ReadonlyMap<PublicKey, readonly CredentialId[]>,
  reach: Reach,
): CredentialId[] => (leaves.get(key) ?? []).filter((leave) => reach.concurrent(id, leave))

/** Entries of the leave's issuer, not leaves, whose signature holds, concurrent with it. */
export const lateAround = (
  leave: Credential,
  byIssuer: ReadonlyMap<PublicKey, readonly CredentialId[]>,
  byId: ReadonlyMap<CredentialId, Credential>,
  reach: Reach,
  check: Check,
  excluded: (id: CredentialId) => boolean,
): CredentialId[] =>
  (byIssuer.get(leave.issuer) ?? []).filter((id) => {
    const entry = byId.get(id)
    return (
      entry !== undefined &&
      !isLeave(entry) &&
      !excluded(id) &&
      reach.concurrent(id, leave.id) &&
      check(entry) !== 'invalid'
    )
  })

/**
 * Whether a leave took effect in a pass without the entries of hers concurrent with it (they may be what refused
 * it: a late demotion of the member whose entry it names, a late removal that left her the last owner). A leave
 * refused there (the last owner's, one built on a refused entry) changes nothing, and neither does rule 4c.
 */
export const leaveCounts = (leave: CredentialId, trial: Pass): boolean =>
  trial.applied.has(leave) || trial.ignored.some((ignored) => ignored.id === leave && ignored.reason === 'not-a-member')

/**
 * Whether another member built on `id` without having seen the leaves of its issuer concurrent with it, in `trial`
 * (where the late entries are judged with their issuer's earlier role), and her membership does not rest on `id`.
 */
export const witnessed = (
  id: CredentialId,
  leavesOf: ReadonlyMap<PublicKey, readonly CredentialId[]>,
  byId: ReadonlyMap<CredentialId, Credential>,
  reach: Reach,
  trial: Pass,
): boolean => {
  const entry = byId.get(id)
  if (entry === undefined) return false
  const leaves = leavesAround(id, entry.issuer, leavesOf, reach)
  const grants = new Map<PublicKey, CredentialId[]>()
  for (const applied of trial.applied) {
    const granted = byId.get(applied)
    const key = granted === undefined ? undefined : grantsOf(granted)
    if (key === undefined) continue
    const known = grants.get(key)
    if (known === undefined) grants.set(key, [applied])
    else known.push(applied)
  }
  // A grant to the witness that is neither this entry nor built on it, and that the witness's entry has seen.
  const standsApart = (witness: Credential) =>
    (grants.get(witness.issuer) ?? []).some(
      (grant) =>
        grant !== id && !reach.descends(grant, id) && (grant === witness.id || reach.descends(witness.id, grant)),
    )
  return trial.accepted.some((other) => {
    const witness = byId.get(other)
    return (
      witness !== undefined &&
      witness.issuer !== entry.issuer &&
      reach.descends(other, id) &&
      leaves.every((leave) => !reach.descends(other, leave)) &&
      standsApart(witness)
    )
  })
}
