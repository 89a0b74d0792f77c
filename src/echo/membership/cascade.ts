/**
 * The removal cascade (fold rule 4b): once a removal of X by another member
 * takes effect, no entry issued by X that is concurrent with it (neither
 * before nor after it in the DAG) takes effect, wherever it sorts, and nothing
 * built on such an entry does either. (X leaving is X ordering her own
 * entries: it does not cascade.) A single pass cannot see this: a backdated entry by X sorts
 * before the removal and may even stop it (by removing its issuer). So the
 * fold runs passes until a fixed point:
 *
 * - A removal R of X whose issuer was ever owner or admin (or X itself) and
 *   that coexists with applied entries of X concurrent with it is tried: the
 *   pass is run again without X's concurrent entries; if R then takes effect,
 *   those entries are excluded for good.
 * - Only removals by eligible keys are tried (seniority.ts), by the seniority
 *   of their issuer, then by position.
 * - Mutual removals (X removed the issuer concurrently) go to the senior of
 *   the two (seniority.ts): once the senior's removal took effect, the
 *   junior's is not tried, whatever ids or parents either chose. This is the one exception to
 *   "removal wins": a senior member removed by a junior can answer with a
 *   removal of the junior, and the genesis owner can never be removed against
 *   a removal of her own.
 * - A removal that still takes effect beside applied entries of X concurrent
 *   with it relied on them: it is ignored (`conflicting-removal`).
 *
 * Exclusions only grow, so this ends; the usual log (no removed member's
 * concurrent entries) needs the first pass only.
 */
import type { Credential, CredentialId, PublicKey } from '../../halo'
import type { SpaceId } from '../ids'
import type { IgnoreReason } from './canonical-order'
import type { Check } from './pass'
import { Pass } from './pass'
import type { Reach } from './reach'
import { standingOf } from './seniority'

export const foldPasses = (
  space: SpaceId,
  entries: readonly Credential[],
  reach: Reach,
  check: Check,
): { pass: Pass; excluded: boolean } => {
  const excluded = new Map<CredentialId, IgnoreReason>()
  const run = (without: ReadonlyMap<CredentialId, IgnoreReason>) => new Pass(space, reach, without, check).run(entries)
  let result = run(excluded)
  const genesis = result.genesis?.assertion
  const standing = standingOf(entries, genesis?.kind === 'SpaceGenesis' ? genesis.owner : undefined, result.powerful)
  const position = new Map(entries.map((entry, index) => [entry.id, index]))
  const byId = new Map(entries.map((entry) => [entry.id, entry]))
  const byIssuer = new Map<PublicKey, CredentialId[]>()
  for (const entry of entries) {
    const ids = byIssuer.get(entry.issuer)
    if (ids === undefined) byIssuer.set(entry.issuer, [entry.id])
    else ids.push(entry.id)
  }
  // A member leaving orders only her own entries; the cascade is for removals by others.
  const removals = entries.filter((entry) => entry.assertion.kind === 'MemberRemoved' && entry.issuer !== entry.subject)
  // Entries of the removed member concurrent with the removal.
  const concurrentOf = (removal: Credential): CredentialId[] =>
    (byIssuer.get(removal.subject) ?? []).filter((id) => reach.concurrent(id, removal.id))
  const conflicts = (removal: Credential, pass: Pass): boolean =>
    concurrentOf(removal).some((id) => pass.applied.has(id))
  // A mutual removal that the other side won: X, the senior, removed the issuer concurrently, and that took effect.
  const lost = (removal: Credential, pass: Pass): boolean =>
    standing.compare(removal.subject, removal.issuer) < 0 &&
    concurrentOf(removal).some((id) => {
      const entry = byId.get(id)
      return pass.applied.has(id) && entry?.assertion.kind === 'MemberRemoved' && entry.subject === removal.issuer
    })
  const tried = (a: Credential, b: Credential) =>
    standing.compare(a.issuer, b.issuer) || (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0)

  for (;;) {
    let changed = false
    const candidates = removals
      .filter((removal) => removal.issuer !== removal.subject && standing.eligible.has(removal.issuer))
      .filter((removal) => !excluded.has(removal.id) && conflicts(removal, result))
      .sort(tried)
    for (const removal of candidates) {
      const concurrent = concurrentOf(removal).filter((id) => !excluded.has(id))
      // Seniors' removals are tried first, so a senior's removal of this issuer has had its chance.
      if (concurrent.length === 0 || excluded.has(removal.id) || lost(removal, result)) continue
      const trying = new Map(excluded)
      for (const id of concurrent) trying.set(id, 'issuer-removed')
      const trial = run(trying)
      if (!trial.applied.has(removal.id)) continue
      for (const id of concurrent) excluded.set(id, 'issuer-removed')
      result = trial
      changed = true
    }
    for (const removal of removals) {
      if (!result.applied.has(removal.id) || !conflicts(removal, result)) continue
      excluded.set(removal.id, 'conflicting-removal')
      changed = true
    }
    if (!changed) return { pass: result, excluded: excluded.size > 0 }
    result = run(excluded)
  }
}
