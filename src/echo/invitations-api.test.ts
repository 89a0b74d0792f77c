/** The invitation flow through ECHO's public names, as the client's share and join code will call them. */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../base/testing/manual-clock'
import type { CredentialId, KeyPair } from '../halo'
import { invitationKey, newLinkSecret } from '../halo'
import { fixedKeyPair } from '../halo/testing'
import type { Invitation, InvitationProblem, MembershipState } from './index'
import {
  checkInvitationUse,
  InvitationRefused,
  issueCountersign,
  issueInvitation,
  issueInvitationCancel,
  issueInvitationUse,
} from './index'
import type { SpaceId } from './ids'
import { issueGenesis } from './membership/entries'
import { foldMembership } from './membership/fold'

const DAY = 24 * 60 * 60 * 1000
const clock = new ManualClock(1_800_000_000_000)
const spaceKey = fixedKeyPair(1)
const space = spaceKey.publicKey as string as SpaceId
const ada = fixedKeyPair(2)
const guest = fixedKeyPair(3)
const host = { identity: ada.publicKey, signer: { key: ada } }
const genesis = issueGenesis(spaceKey, ada.publicKey, clock)

const problemOf = (result: ReturnType<typeof checkInvitationUse>): InvitationProblem | 'ok' => {
  if (result.ok) return 'ok'
  expect(result.error).toBeInstanceOf(InvitationRefused)
  return result.error.code
}

const open = (state: MembershipState, key: KeyPair, uses = 1) =>
  issueInvitation({
    actor: host,
    space,
    key: key.publicKey,
    role: 'editor',
    uses,
    until: clock.now() + DAY,
    parents: state.heads,
    clock,
  })

describe('invitations through the public API', () => {
  it('opens an invitation, lets the host check it, admits the guest by its signed use and the host’s countersignature', () => {
    const log: unknown[] = [...genesis]
    const key = invitationKey(newLinkSecret())
    const invitation = open(foldMembership(space, log), key)
    log.push(invitation)
    const before = foldMembership(space, log)
    const checked = checkInvitationUse(before, invitation.id, clock.now(), guest.publicKey)
    expect(checked.ok).toBe(true)
    if (!checked.ok) return
    const live: Invitation = checked.value
    expect([live.role, live.usesLeft, live.cancelled]).toEqual(['editor', 1, false])
    const member = issueInvitationUse({
      invitationKey: key,
      space,
      invitation: invitation.id,
      heads: before.heads,
      guest: guest.publicKey,
      role: live.role,
      clock,
    })
    expect(member.issuer).toBe(key.publicKey)
    expect(member.proof.chain).toBeUndefined()
    log.push(member)
    // K alone admits nobody: the use waits for a host.
    expect(foldMembership(space, log).members).not.toContainEqual({ key: guest.publicKey, role: 'editor' })
    log.push(issueCountersign({ actor: host, space, use: member, parents: before.heads, clock }))
    const after = foldMembership(space, log)
    expect(after.members).toContainEqual({ key: guest.publicKey, role: 'editor' })
    expect(problemOf(checkInvitationUse(after, invitation.id, clock.now()))).toBe('invitation-used')
    expect(problemOf(checkInvitationUse(after, invitation.id, clock.now(), guest.publicKey))).toBe('invitation-used')
  })

  it('cancels an invitation', () => {
    const key = invitationKey(newLinkSecret())
    const invitation = open(foldMembership(space, genesis), key, 5)
    const cancelled = issueInvitationCancel({ actor: host, space, key: key.publicKey, parents: [invitation.id], clock })
    const state = foldMembership(space, [...genesis, invitation, cancelled])
    expect(state.invitations.map((known) => known.cancelled)).toEqual([true])
    expect(problemOf(checkInvitationUse(state, invitation.id, clock.now()))).toBe('invitation-cancelled')
  })

  it('names the invitation first among at most 64 parents', () => {
    const heads = Array.from({ length: 70 }, (_, n) => n.toString(16).padStart(64, '0') as CredentialId)
    const key = invitationKey(newLinkSecret())
    const invitation = open(foldMembership(space, genesis), key)
    const member = issueInvitationUse({
      invitationKey: key,
      space,
      invitation: invitation.id,
      heads: [invitation.id, ...heads],
      guest: guest.publicKey,
      role: 'editor',
      clock,
    })
    expect(member.parents).toHaveLength(64)
    expect(member.parents[0]).toBe(invitation.id)
    expect(new Set(member.parents).size).toBe(64)
  })
})
