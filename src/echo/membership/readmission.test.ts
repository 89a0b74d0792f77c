/**
 * Raising someone who held a role before (a re-admission after a removal or a leave, any raise after a demotion)
 * changes that member's role: it needs MANAGES over the highest role held, not only ADMITS (review 13, G2).
 */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { CredentialId, KeyPair, SpaceRole } from '../../halo'
import { fixedKeyPair } from '../../halo/testing'
import {
  actor,
  alice,
  base,
  baseHead,
  bob,
  carol,
  clock,
  incremental,
  invite,
  linkKey,
  redeem,
  removal,
  space,
  T0,
  verdict,
} from '../testing/invitations'
import { issueMember } from './entries'
import { foldMembership, roleOf } from './fold'

const carl = fixedKeyPair(31)
const fold = (log: readonly unknown[]) => foldMembership(space, log)
const member = (by: KeyPair, subject: KeyPair, role: SpaceRole, parents: readonly CredentialId[]) =>
  issueMember({ actor: actor(by), space, subject: subject.publicKey, role, parents, clock })
/** Carl, an admin the owner (alice) admitted; bob is an admin too. */
const carlAdmin = member(alice, carl, 'admin', baseHead)

describe('raising someone who held a role before (review 13, G2)', () => {
  it('an admin cannot re-admit an admin the owner removed, with any role; the owner can', () => {
    const removed = removal(alice, carl, [carlAdmin.id])
    for (const role of ['admin', 'editor', 'viewer'] as const) {
      const back = member(bob, carl, role, [removed.id])
      const state = fold([...base, carlAdmin, removed, back])
      expect(verdict(state, back.id)).toBe('unauthorized')
      expect(roleOf(state, carl.publicKey)).toBeUndefined()
    }
    const byOwner = member(alice, carl, 'admin', [removed.id])
    expect(roleOf(fold([...base, carlAdmin, removed, byOwner]), carl.publicKey)).toBe('admin')
    // An admin who left is an admin who held the role: only an owner brings her back.
    const left = removal(carl, carl, [carlAdmin.id])
    const again = member(bob, carl, 'admin', [left.id])
    expect(verdict(fold([...base, carlAdmin, left, again]), again.id)).toBe('unauthorized')
  })

  it('an admin cannot undo the owner’s demotion of an admin, directly or by removing and admitting again', () => {
    const demoted = member(alice, carl, 'viewer', [carlAdmin.id])
    const direct = member(bob, carl, 'admin', [demoted.id])
    expect(verdict(fold([...base, carlAdmin, demoted, direct]), direct.id)).toBe('unauthorized')
    // Not even to editor: a raise after a demotion changes the role the owner set.
    const raised = member(bob, carl, 'editor', [demoted.id])
    expect(verdict(fold([...base, carlAdmin, demoted, raised]), raised.id)).toBe('unauthorized')
    // Admins still remove a viewer; admitting him again as a newcomer is refused.
    const kick = removal(bob, carl, [demoted.id])
    const again = member(bob, carl, 'admin', [kick.id])
    const log = [...base, carlAdmin, demoted, kick, again]
    const state = fold(log)
    expect([verdict(state, kick.id), verdict(state, again.id)]).toEqual(['applied', 'unauthorized'])
    expect(roleOf(state, carl.publicKey)).toBeUndefined()
    expect(incremental(log)).toEqual(state)
    // The owner raises him again.
    const byOwner = member(alice, carl, 'admin', [demoted.id])
    expect(roleOf(fold([...base, carlAdmin, demoted, byOwner]), carl.publicKey)).toBe('admin')
  })

  it('an admin host cannot countersign the use of an admin the owner removed; an owner host can', () => {
    const removed = removal(alice, carl, [carlAdmin.id])
    const invitation = invite(bob, { role: 'admin', parents: [removed.id], key: linkKey(3) })
    for (const [host, expected] of [
      [bob, 'unauthorized'],
      [alice, 'applied'],
    ] as const) {
      const back = redeem(invitation, carl, { host, heads: [invitation.id], key: linkKey(3) })
      const state = fold([...base, carlAdmin, removed, invitation, ...back.entries])
      expect(verdict(state, back.id)).toBe(expected)
      expect(roleOf(state, carl.publicKey)).toBe(expected === 'applied' ? 'admin' : undefined)
    }
  })

  it('lets an admin re-admit or raise who never held more than an editor', () => {
    const kick = removal(bob, carol, baseHead)
    const back = member(bob, carol, 'editor', [kick.id])
    expect(verdict(fold([...base, kick, back]), back.id)).toBe('applied')
    const demoted = member(bob, carol, 'viewer', baseHead)
    const raised = member(bob, carol, 'editor', [demoted.id])
    expect(roleOf(fold([...base, demoted, raised]), carol.publicKey)).toBe('editor')
  })

  it('caps an owner’s re-admission of an ex-admin concurrent with her demotion to admin', () => {
    const olga = fixedKeyPair(35)
    const olgaOwner = member(alice, olga, 'owner', [carlAdmin.id])
    const removed = removal(alice, carl, [olgaOwner.id])
    const back = member(olga, carl, 'admin', [removed.id])
    // Demotions at other times have other ids: some sort before her re-admission, some after it (then the
    // cascade judges her entry as the admin she was made concurrently).
    const demotions = [0, 1, 2, 3, 4, 5, 6, 7].map((grind) =>
      issueMember({
        actor: actor(alice),
        space,
        subject: olga.publicKey,
        role: 'admin',
        parents: [removed.id],
        clock: new ManualClock(T0 + grind),
      }),
    )
    expect(new Set(demotions.map((demoted) => demoted.id < back.id))).toEqual(new Set([true, false]))
    for (const demoted of demotions) {
      const log = [...base, carlAdmin, olgaOwner, removed, back, demoted]
      const state = fold(log)
      expect(roleOf(state, olga.publicKey)).toBe('admin')
      // As an admin, she may not bring back an admin the owner removed.
      expect(verdict(state, back.id)).toBe('unauthorized')
      expect(roleOf(state, carl.publicKey)).toBeUndefined()
      expect(incremental(log)).toEqual(state)
    }
  })
})
