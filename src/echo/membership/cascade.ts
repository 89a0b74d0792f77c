/**
 * The removal cascade (fold rule 4b): once a removal of X takes effect, no
 * entry issued by X that is concurrent with it (neither before nor after it in
 * the DAG) takes effect, wherever it sorts, and nothing built on such an entry
 * does either. A single pass cannot see this: a backdated entry by X sorts
 * before the removal and may even stop it (by removing its issuer). So the
 * fold runs passes until a fixed point:
 *
 * - A removal R of X whose issuer was ever owner or admin (or X itself) and
 *   that coexists with applied entries of X concurrent with it is tried: the
 *   pass is run again without X's concurrent entries; if R then takes effect,
 *   those entries are excluded for good.
 * - Removals are tried by the seniority of their issuer (who became a member
 *   first in the first pass; a removed member cannot move that earlier), then
 *   by position. This decides mutual removals: when two members remove each
 *   other concurrently, the senior one's removal is tried first and wins,
 *   whatever the ids or parents the other chose.
 * - A removal that still takes effect beside applied entries of X concurrent
 *   with it relied on them: it is ignored (`conflicting-removal`).
 *
 * Exclusions only grow, so this ends; the usual log (no removed member's
 * concurrent entries) needs the first pass only.
 */
import type { Credential, CredentialId, PublicKey } from '../../halo'
import type { SpaceId } from '../ids'
import type { IgnoreReason } from './canonical-order'
import { Pass } from './pass'
import type { Reach } from './reach'

export const foldPasses = (space: SpaceId, entries: readonly Credential[], reach: Reach): Pass => {
  const excluded = new Map<CredentialId, IgnoreReason>()
  const run = (without: ReadonlyMap<CredentialId, IgnoreReason>) => new Pass(space, reach, without).run(entries)
  let result = run(excluded)
  const seniority = result.firstRole
  const powerful = new Set<PublicKey>(result.powerful)
  const position = new Map(entries.map((entry, index) => [entry.id, index]))
  const byIssuer = new Map<PublicKey, CredentialId[]>()
  for (const entry of entries) byIssuer.set(entry.issuer, [...(byIssuer.get(entry.issuer) ?? []), entry.id])
  const removals = entries.filter((entry) => entry.assertion.kind === 'MemberRemoved')
  // Entries of the removed member concurrent with the removal.
  const concurrentOf = (removal: Credential): CredentialId[] =>
    (byIssuer.get(removal.subject) ?? []).filter((id) => reach.concurrent(id, removal.id))
  const conflicts = (removal: Credential, pass: Pass): boolean =>
    concurrentOf(removal).some((id) => pass.applied.has(id))
  const rank = (removal: Credential): [number, number] => [
    seniority.get(removal.issuer) ?? Number.POSITIVE_INFINITY,
    position.get(removal.id) ?? 0,
  ]

  for (;;) {
    let changed = false
    const candidates = removals
      .filter((removal) => removal.issuer === removal.subject || powerful.has(removal.issuer))
      .filter((removal) => !excluded.has(removal.id) && conflicts(removal, result))
      .sort((a, b) => {
        const [seniorA, atA] = rank(a)
        const [seniorB, atB] = rank(b)
        return seniorA === seniorB ? atA - atB : seniorA - seniorB
      })
    for (const removal of candidates) {
      const concurrent = concurrentOf(removal).filter((id) => !excluded.has(id))
      if (concurrent.length === 0 || excluded.has(removal.id)) continue
      const trying = new Map(excluded)
      for (const id of concurrent) trying.set(id, 'issuer-removed')
      const trial = run(trying)
      for (const key of trial.powerful) powerful.add(key)
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
    if (!changed) return result
    result = run(excluded)
    for (const key of result.powerful) powerful.add(key)
  }
}
