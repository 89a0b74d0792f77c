import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { issueCountersign } from './entries'
import { MembershipLog } from './log'
import { actor, base, bob, carol, guests, invite, space, T0, use } from '../testing/invitations'

describe('a preview (review 12, F5: a guest streams accept frames at a host)', () => {
  it('keeps no verdict of the entries it judged, on the fast path or the whole fold', () => {
    const log = new MembershipLog(space)
    const invitation = invite(bob)
    log.add([...base, invitation])
    const before = log.verified().map((entry) => entry.id)
    guests.forEach((guest, n) => {
      // A use alone (the fast path): signed, judged, and waiting for a host.
      const alone = use(invitation, guest, { heads: [invitation.id], time: T0 + n })
      expect(log.preview(alone)).toBe('awaiting-host')
      // Countersigned by an editor (the whole fold, after the use): refused.
      const clock = new ManualClock(T0 + n)
      const admission = issueCountersign({ actor: actor(carol), space, use: alone, parents: [invitation.id], clock })
      expect(log.preview(admission, [alone])).toBe('unauthorized')
    })
    expect(log.verified().map((entry) => entry.id)).toEqual(before)
  })
})
