import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Credential } from '../../halo'
import { foldMembership, lostWelcomes, roleOf } from './fold'
import {
  alice,
  base,
  baseHead,
  bob,
  cancel,
  guests,
  incremental,
  invite,
  linkKey,
  redeem,
  space,
  T0,
  HOUR,
  use,
  verdict,
} from '../testing/invitations'

const [ada, ben] = guests
const fold = (log: readonly unknown[]) => foldMembership(space, log)

/** One single-use link, hosted at once by Alice (for Ada) and by Bob (for Ben), neither seeing the other. */
const race = () => {
  const invitation = invite(alice, { parents: baseHead, key: linkKey(4) })
  const byAlice = redeem(invitation, ada, { heads: [invitation.id], host: alice, key: linkKey(4) })
  const byBob = redeem(invitation, ben, { heads: [invitation.id], host: bob, key: linkKey(4) })
  return { invitation, byAlice, byBob, log: [...base, invitation, ...byAlice.entries, ...byBob.entries] }
}

describe('lost welcomes: countersignatures whose host welcomed a guest the fold does not admit (review 13, G6)', () => {
  it('two hosts race one single-use link: the loser is one lost welcome, the winner none', () => {
    const { invitation, byAlice, byBob, log } = race()
    expect(lostWelcomes(fold([...base, invitation, ...byAlice.entries]))).toEqual([])
    expect(lostWelcomes(fold([...base, invitation, ...byBob.entries]))).toEqual([])
    const merged = fold(log)
    const [winner, loser] = merged.applied.includes(byAlice.id) ? [byAlice, byBob] : [byBob, byAlice]
    expect(verdict(merged, winner.id)).toBe('applied')
    expect(verdict(merged, loser.id)).toBe('invitation-used')
    expect(lostWelcomes(merged)).toEqual([loser.id])
    expect(roleOf(merged, loser.admission.subject)).toBeUndefined()
  })

  it('is the same whatever order the entries arrive in, one at a time or all at once', () => {
    const { log } = race()
    const expected = lostWelcomes(fold(log))
    expect(expected).toHaveLength(1)
    fc.assert(
      fc.property(fc.shuffledSubarray([...log], { minLength: log.length }), (order: Credential[]) => {
        expect(lostWelcomes(incremental(order))).toEqual(expected)
        expect(lostWelcomes(fold(order))).toEqual(expected)
      }),
      { seed: 1215, numRuns: 10 },
    )
  })

  it('a welcome a concurrent cancellation voids is lost; one past the end of the invitation is lost', () => {
    const invitation = invite(alice, { parents: baseHead, key: linkKey(5), uses: 2 })
    const admitted = redeem(invitation, ada, { heads: [invitation.id], key: linkKey(5) })
    const cancelled = cancel(bob, [invitation.id], linkKey(5))
    const voided = fold([...base, invitation, ...admitted.entries, cancelled])
    expect(verdict(voided, admitted.id)).toBe('invitation-cancelled')
    expect(lostWelcomes(voided)).toEqual([admitted.id])
    const late = redeem(invitation, ben, { heads: [invitation.id], key: linkKey(5), hostTime: T0 + 2 * HOUR })
    const expired = fold([...base, invitation, ...late.entries])
    expect(verdict(expired, late.id)).toBe('invitation-expired')
    expect(lostWelcomes(expired)).toEqual([late.id])
  })

  it('counts no guest use waiting for a host, no applied admission, and no junk', () => {
    const invitation = invite(alice, { parents: baseHead, key: linkKey(6) })
    const waiting = use(invitation, ada, { heads: [invitation.id], key: linkKey(6) })
    expect(lostWelcomes(fold([...base, invitation, waiting]))).toEqual([])
    const admitted = redeem(invitation, ben, { heads: [invitation.id], key: linkKey(6) })
    expect(lostWelcomes(fold([...base, invitation, ...admitted.entries, { junk: true }]))).toEqual([])
  })
})
