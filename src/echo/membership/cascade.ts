/**
 * The removal cascade (fold rule 4b): once a removal of X by another member
 * takes effect, no entry issued by X that is concurrent
 * with it (neither before nor after it in the DAG) takes effect, wherever it
 * sorts, and nothing built on such an entry does either. A demotion of X by
 * another member works the same way for what needs the higher role: X's
 * entries concurrent with it are judged with the lower role. A single pass
 * cannot see this: a backdated entry by X sorts before the removal (or the
 * demotion) and may even stop it (by removing its issuer). So the fold runs
 * passes until a fixed point:
 *
 * - A removal R of X (a demotion D of X to a role r) whose issuer is eligible
 *   (seniority.ts) and whose signature holds, and that
 *   coexists with applied entries of X concurrent with it (that needed more
 *   than r) is tried: the pass is run again without X's concurrent entries
 *   (with them judged as r); if R (D) then takes effect, that is kept for good.
 * - They are tried by the seniority of their issuer, then by position. A
 *   demotion is tried only when its issuer is senior to X (as in a mutual
 *   removal): a junior made owner by an entry that a removal voids could
 *   otherwise demote the remover, cap the removal and bring that entry back.
 * - Mutual removals (X removed or demoted the issuer concurrently) go to the
 *   senior of the two (seniority.ts): once the senior's took effect, the
 *   junior's is not tried, whatever ids or parents either chose. This is the one exception to
 *   "removal wins": a senior member removed by a junior can answer with a
 *   removal of the junior, and the genesis owner can never be removed against
 *   a removal of her own.
 * - A trial is kept only if every exclusion still has an applied removal of its
 *   issuer concurrent with it (and every cap its demotion), and if it voids no
 *   removal of its own issuer unless that issuer is senior to both its subject
 *   and that remover (seeds 249, 221 and 254 of the backdating property).
 * - A removal that still takes effect beside applied entries of X concurrent
 *   with it relied on them: it is ignored (`conflicting-removal`).
 *
 * Exclusions and caps only grow, so this ends; the usual log (no removed or
 * demoted member's concurrent entries) needs the first pass only.
 */
import type { Credential, CredentialId, PublicKey, SpaceRole } from '../../halo'
import type { SpaceId } from '../ids'
import type { IgnoreReason } from './canonical-order'
import type { Check } from './pass'
import { Pass } from './pass'
import { isTopRole, outranks } from './policy'
import type { Reach } from './reach'
import { cancelledUses } from './invitations'
import { lateAround, leaveCounts, leavesBy, witnessed } from './after-leave'
import { standingOf } from './seniority'

/** The role a removal or demotion leaves its subject with (undefined: removed). */
const leaves = (entry: Credential): SpaceRole | undefined =>
  entry.assertion.kind === 'SpaceMember' ? entry.assertion.role : undefined

export const foldPasses = (
  space: SpaceId,
  entries: readonly Credential[],
  reach: Reach,
  check: Check,
): { pass: Pass; excluded: boolean; eligible: ReadonlySet<PublicKey> } => {
  const excluded = new Map<CredentialId, IgnoreReason>()
  const caps = new Map<CredentialId, SpaceRole>()
  /** The demotions whose trial was kept (the caps they justify). */
  const kept = new Set<CredentialId>()
  const byKey = new Map<CredentialId, PublicKey>(entries.map((entry) => [entry.id, entry.issuer]))
  /** Entries of members who left judged with the role they held before (rule 4c, after-leave.ts). */
  const reprieved = new Set<CredentialId>()
  const run = (
    without: ReadonlyMap<CredentialId, IgnoreReason>,
    capped: ReadonlyMap<CredentialId, SpaceRole>,
    sparing: ReadonlySet<CredentialId> = reprieved,
  ) => new Pass(space, reach, without, check, capped, sparing).run(entries)
  let result = run(excluded, caps)
  const standing = standingOf(entries, result.genesis, result.powerful, reach, check)
  const position = new Map(entries.map((entry, index) => [entry.id, index]))
  const byId = new Map(entries.map((entry) => [entry.id, entry]))
  const byIssuer = new Map<PublicKey, CredentialId[]>()
  for (const entry of entries) {
    const ids = byIssuer.get(entry.issuer)
    if (ids === undefined) byIssuer.set(entry.issuer, [entry.id])
    else ids.push(entry.id)
  }
  const ownLeaves = leavesBy(entries, check)
  // Removals by others (a member leaving does not cascade: rule 4c instead, after-leave.ts) and what may be demotions.
  const removals = entries.filter((entry) => entry.assertion.kind === 'MemberRemoved' && entry.issuer !== entry.subject)
  const demotions = entries.filter(
    (entry) =>
      entry.assertion.kind === 'SpaceMember' &&
      !isTopRole(entry.assertion.role) &&
      entry.issuer !== entry.subject &&
      standing.eligible.has(entry.subject) &&
      // Only a senior's: a junior's demotion capping a senior's removal could bring back what that removal voided.
      standing.compare(entry.issuer, entry.subject) < 0,
  )
  // Entries of the removed (demoted) member concurrent with the removal that it changes.
  const concurrentOf = (removal: Credential, pass: Pass | undefined): CredentialId[] => {
    const role = leaves(removal)
    const changes = (id: CredentialId) => {
      if (role === undefined) return true
      const needed = pass?.needed.get(id)
      return needed !== undefined && outranks(needed, role)
    }
    return (byIssuer.get(removal.subject) ?? []).filter(
      (id) => (pass === undefined || pass.applied.has(id)) && changes(id) && reach.concurrent(id, removal.id),
    )
  }
  const conflicts = (removal: Credential, pass: Pass): boolean => concurrentOf(removal, pass).length > 0
  // A mutual removal that the other side won: X, the senior, removed or demoted the issuer concurrently, and that took effect.
  const lost = (removal: Credential, pass: Pass): boolean =>
    standing.compare(removal.subject, removal.issuer) < 0 &&
    concurrentOf(removal, pass).some((id) => {
      const entry = byId.get(id)
      return (
        // A removal or a demotion answers; X granting the remover the top role again is no answer.
        (entry?.assertion.kind === 'MemberRemoved' ||
          (entry?.assertion.kind === 'SpaceMember' && !isTopRole(entry.assertion.role))) &&
        entry.subject === removal.issuer
      )
    })
  const tried = (a: Credential, b: Credential) =>
    standing.compare(a.issuer, b.issuer) || (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0)
  // Only removals whose signature holds count (junk "by" a member costs no trial pass).
  const counts = (entry: Credential) => standing.eligible.has(entry.issuer) && check(entry) !== 'invalid'

  // Exclusions and caps are kept for good, so a trial may not void what justified one: a removal of the excluded
  // entry's issuer concurrent with it still applies (another one will do), a demotion behind a cap still applies.
  const stillJustified = (trial: Pass, trying: CredentialId): boolean =>
    [...kept].every((id) => id === trying || trial.applied.has(id)) &&
    [...excluded].every(
      ([id, reason]) =>
        reason !== 'issuer-removed' ||
        removals.some(
          (other) =>
            other.subject === byKey.get(id) &&
            (other.id === trying || trial.applied.has(other.id)) &&
            reach.concurrent(other.id, id),
        ),
    )
  // Whether trying `removal` (by X) voids a removal of X concurrent with it that stands without it: allowed only to
  // a member senior to both its subject and that remover (a mutual conflict), else X removed by a junior would
  // undo that by backdating a removal of a senior whose entries the junior's removal rests on.
  const voidsOwnRemoval = (removal: Credential, trial: Pass): boolean => {
    const against = removals.filter(
      (other) =>
        other.subject === removal.issuer &&
        !trial.applied.has(other.id) &&
        counts(other) &&
        reach.concurrent(other.id, removal.id) &&
        !(standing.compare(removal.issuer, removal.subject) < 0 && standing.compare(removal.issuer, other.issuer) < 0),
    )
    if (against.length === 0) return false
    const without = run(new Map([...excluded, [removal.id, 'issuer-removed' as const]]), caps)
    return against.some((other) => without.applied.has(other.id))
  }

  // Whether `entry` (by X) answers `removal` (of X): it removes or demotes the remover, or the issuer of an entry
  // the removal rests on that `entry` has not seen (a mutual removal, which goes by seniority: seed 18).
  const answers = (entry: Credential, removal: Credential): boolean => {
    const { assertion } = entry
    if (assertion.kind !== 'MemberRemoved' && (assertion.kind !== 'SpaceMember' || isTopRole(assertion.role))) {
      return false
    }
    const seen = reach.ancestorsOf(entry.id)
    return [removal.id, ...reach.ancestorsOf(removal.id)].some((id) => byKey.get(id) === entry.subject && !seen.has(id))
  }
  // Removal wins: a removal (demotion) of X is tried before X's removals and demotions concurrent with it, which it
  // voids (caps), whatever their issuer's seniority; only X's answer to its remover goes by seniority. Otherwise X's
  // removal of a third member, tried first, kept exclusions that X's own removal could then not void (the
  // backdating property's seed -2091275868). A cycle (each removing the next) falls back to seniority.
  const inTurn = function* (sorted: readonly Credential[]): Generator<Credential> {
    const waiting = [...sorted]
    while (waiting.length > 0) {
      const blocked = (entry: Credential) =>
        waiting.some(
          (other) =>
            other !== entry &&
            other.subject === entry.issuer &&
            !answers(entry, other) &&
            reach.concurrent(other.id, entry.id),
        )
      const at = Math.max(
        0,
        waiting.findIndex((entry) => !blocked(entry)),
      )
      const [next] = waiting.splice(at, 1)
      if (next !== undefined) yield next
    }
  }

  // A member who left (rule 4c): her entries concurrent with her leave count only if another member saw them first.
  // Judged before any removal is tried, so that a late removal of hers is never tried.
  const judgeLate = (): boolean => {
    const counted = new Map<PublicKey, CredentialId[]>()
    const late = new Set<CredentialId>()
    for (const ids of ownLeaves.values()) {
      for (const id of ids) {
        const leave = byId.get(id)
        if (leave === undefined || excluded.has(id)) continue
        const around = lateAround(leave, byIssuer, byId, reach, check, (other) => excluded.has(other))
        if (around.length === 0) continue
        const without = run(new Map([...excluded, ...around.map((other) => [other, 'issuer-left'] as const)]), caps)
        if (!leaveCounts(id, without)) continue
        counted.set(leave.issuer, [...(counted.get(leave.issuer) ?? []), id])
        for (const other of around) late.add(other)
      }
    }
    if (late.size === 0) return false
    const trial = run(excluded, caps, new Set([...reprieved, ...late]))
    let changed = false
    for (const id of late) {
      const seen = witnessed(id, counted, byId, reach, trial)
      if (seen && reprieved.has(id)) continue
      if (seen) reprieved.add(id)
      else {
        reprieved.delete(id)
        excluded.set(id, 'issuer-left')
      }
      changed = true
    }
    return changed
  }

  for (;;) {
    if (judgeLate()) {
      result = run(excluded, caps)
      continue
    }
    let changed = false
    // A removal is tried whenever X has entries concurrent with it, applied yet or not: one of them may only apply
    // once a junior's removal (tried later) voids what blocked it, and the senior's removal must have its turn first.
    const candidates = [...removals, ...demotions]
      .filter(
        (removal) =>
          !excluded.has(removal.id) &&
          (leaves(removal) === undefined
            ? concurrentOf(removal, undefined).some((id) => !excluded.has(id))
            : conflicts(removal, result)) &&
          counts(removal),
      )
      .sort(tried)
    for (const removal of inTurn(candidates)) {
      const role = leaves(removal)
      // Every entry of X concurrent with a removal goes; a demotion caps what needed more.
      const concurrent = (role === undefined ? concurrentOf(removal, undefined) : concurrentOf(removal, result)).filter(
        (id) => !excluded.has(id),
      )
      // Seniors' removals are tried first, so a senior's removal of this issuer has had its chance.
      if (concurrent.length === 0 || excluded.has(removal.id) || lost(removal, result)) continue
      const trying = new Map(excluded)
      const capping = new Map(caps)
      for (const id of concurrent) {
        if (role === undefined) trying.set(id, 'issuer-removed')
        else capping.set(id, role)
      }
      const trial = run(trying, capping)
      if (!trial.applied.has(removal.id) || !stillJustified(trial, removal.id)) continue
      if (voidsOwnRemoval(removal, trial)) continue
      for (const id of concurrent) {
        if (role === undefined) excluded.set(id, 'issuer-removed')
        else caps.set(id, role)
      }
      if (role !== undefined) kept.add(removal.id)
      result = trial
      changed = true
    }
    for (const removal of removals) {
      if (!result.applied.has(removal.id) || !conflicts(removal, result)) continue
      excluded.set(removal.id, 'conflicting-removal')
      changed = true
    }
    // Cancel wins (rule 8): uses a cancellation has not seen go, whichever sorted first.
    for (const id of cancelledUses(result.invitations.values(), reach)) {
      if (excluded.has(id)) continue
      excluded.set(id, 'invitation-cancelled')
      changed = true
    }
    if (!changed) {
      const cascaded = excluded.size > 0 || caps.size > 0 || reprieved.size > 0
      return { pass: result, excluded: cascaded, eligible: standing.eligible }
    }
    result = run(excluded, caps)
  }
}
