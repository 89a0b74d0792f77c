import { describe, expect, it } from 'vitest'
import type { CredentialId, PublicKey } from '../../halo'
import { issueCredential } from '../../halo'
import { issueMember } from './entries'
import { foldMembership, roleOf } from './fold'
import { checkInvitationUse } from './invitation-check'
import {
  actor,
  alice,
  base,
  baseHead,
  bob,
  cancel,
  carol,
  clock,
  guests,
  HOUR,
  incremental,
  invite,
  linkKey,
  redeem,
  removal,
  space,
  T0,
  use,
  verdict,
} from '../testing/invitations'

const [ada, ben, cy] = guests
const spaceKey = space as string as PublicKey
const fold = (log: readonly unknown[]) => foldMembership(space, log)
const problem = (result: ReturnType<typeof checkInvitationUse>) => (result.ok ? 'ok' : result.error.code)

describe('invitations: who may invite', () => {
  it('lets owners and admins invite admins, editors and viewers, and nobody invite an owner', () => {
    const cases = [
      { by: alice, role: 'admin', expected: 'applied' },
      { by: alice, role: 'viewer', expected: 'applied' },
      { by: bob, role: 'editor', expected: 'applied' },
      { by: bob, role: 'viewer', expected: 'applied' },
      // Admins admit admins too (policy.ts ADMITS), as the sharing issue asks.
      { by: bob, role: 'admin', expected: 'applied' },
      // A link is a bearer secret: never the top role.
      { by: alice, role: 'owner', expected: 'unauthorized' },
      { by: bob, role: 'owner', expected: 'unauthorized' },
      // Editors and viewers invite nobody.
      { by: carol, role: 'viewer', expected: 'unauthorized' },
    ] as const
    cases.forEach(({ by, role, expected }, n) => {
      const invitation = invite(by, { role, key: linkKey(n) })
      expect([by, role, verdict(fold([...base, invitation]), invitation.id)]).toEqual([by, role, expected])
    })
  })

  it('lists an invitation with its role, uses left, expiry, and whether it is cancelled', () => {
    const invitation = invite(bob, { uses: 3 })
    const first = redeem(invitation, ada, { heads: baseHead })
    const state = fold([...base, invitation, ...first.entries])
    expect(state.invitations).toEqual([
      {
        id: invitation.id,
        key: linkKey(0).publicKey,
        inviter: bob.publicKey,
        role: 'editor',
        uses: 3,
        usesLeft: 2,
        until: T0 + HOUR,
        cancelled: false,
        inviterMay: true,
      },
    ])
    expect(roleOf(state, ada.publicKey)).toBe('editor')
  })

  it('ignores a second invitation for the same invite key (invitation-exists)', () => {
    const first = invite(alice, { role: 'viewer' })
    const second = invite(bob, { role: 'editor', parents: [first.id] })
    const state = fold([...base, first, second])
    expect(verdict(state, second.id)).toBe('invitation-exists')
    expect(state.invitations.map((known) => known.id)).toEqual([first.id])
  })
})

describe('invitations: verdicts on a use', () => {
  const invitation = invite(bob)

  it('admits the guest with the delegated role once a host countersigned the use', () => {
    // The host names its heads too (the invitation here), as `chooseParents` gives them.
    const admitted = redeem(invitation, ada, { hostHeads: [invitation.id] })
    const state = fold([...base, invitation, ...admitted.entries])
    expect(verdict(state, admitted.id)).toBe('applied')
    expect(verdict(state, admitted.use.id)).toBe('awaiting-host')
    expect(roleOf(state, ada.publicKey)).toBe('editor')
    expect(state.heads).toEqual([admitted.id])
  })

  it('admits nobody with a use alone: K is no admission (awaiting-host, and no head)', () => {
    const alone = use(invitation, ada, { heads: baseHead })
    const state = fold([...base, invitation, alone])
    expect(verdict(state, alone.id)).toBe('awaiting-host')
    expect(roleOf(state, ada.publicKey)).toBeUndefined()
    expect(state.heads).toEqual([invitation.id])
    expect(state.invitations[0]?.usesLeft).toBe(1)
  })

  it('counts a countersignature only by a member who may admit the role there', () => {
    const adminInvitation = invite(alice, { role: 'admin', key: linkKey(3) })
    const cases = [
      // Editors and viewers admit nobody, whatever use they hold.
      { invitation, host: carol, key: linkKey(0) },
      // The guest countersigning its own use holds no role.
      { invitation, host: ada, key: linkKey(0) },
      // An editor may not admit the admin an owner's invitation names.
      { invitation: adminInvitation, host: carol, key: linkKey(3) },
    ]
    for (const { invitation: opened, host, key } of cases) {
      const redeemed = redeem(opened, ada, { host, key })
      const state = fold([...base, opened, ...redeemed.entries])
      expect(verdict(state, redeemed.id)).toBe('unauthorized')
      expect(roleOf(state, ada.publicKey)).toBeUndefined()
    }
    // An admin admits the admin of the owner's invitation (admins admit admins).
    const byAdmin = redeem(adminInvitation, ada, { host: bob, key: linkKey(3) })
    const admitted = fold([...base, adminInvitation, ...byAdmin.entries])
    expect(verdict(admitted, byAdmin.id)).toBe('applied')
    expect(roleOf(admitted, ada.publicKey)).toBe('admin')
  })

  it('refuses a second use of a single-use invitation (invitation-used), and a second countersignature of one use', () => {
    const first = redeem(invitation, ada)
    const second = redeem(invitation, ben, { heads: [first.id] })
    const state = fold([...base, invitation, ...first.entries, ...second.entries])
    expect(verdict(state, second.id)).toBe('invitation-used')
    expect(roleOf(state, ben.publicKey)).toBeUndefined()
    const twice = invite(bob, { key: linkKey(4), uses: 3 })
    const once = redeem(twice, ada, { key: linkKey(4) })
    const again = redeem(twice, ada, { key: linkKey(4), host: bob, hostHeads: [once.id] })
    const counted = fold([...base, twice, ...once.entries, again.admission])
    expect(again.use.id).toBe(once.use.id)
    expect(verdict(counted, again.id)).toBe('invitation-used')
    expect(counted.invitations[0]?.usesLeft).toBe(2)
  })

  it('judges expiry by the host’s issuedAt against until, never by the guest’s (invitation-expired)', () => {
    const until = T0 + HOUR
    const inTime = redeem(invitation, ada, { time: until + 5 * HOUR, hostTime: until })
    // A use backdated by whoever holds K counts for nothing: the host's time decides.
    const late = redeem(invitation, ben, { time: until - 1000, hostTime: until + 1 })
    expect(verdict(fold([...base, invitation, ...inTime.entries]), inTime.id)).toBe('applied')
    expect(verdict(fold([...base, invitation, ...late.entries]), late.id)).toBe('invitation-expired')
  })

  it('refuses a use after a cancellation, and voids a use the cancellation had not seen (invitation-cancelled)', () => {
    const cancelled = cancel(bob, [invitation.id])
    const after = redeem(invitation, ada, { heads: [cancelled.id] })
    expect(verdict(fold([...base, invitation, cancelled, ...after.entries]), after.id)).toBe('invitation-cancelled')
    // Countersignatures at other times have other ids, so some sort before the cancellation and some after it.
    const concurrentUses = [0, 1, 2, 3, 4, 5, 6, 7].map((grind) => redeem(invitation, ada, { hostTime: T0 + grind }))
    expect(new Set(concurrentUses.map((entry) => entry.id < cancelled.id))).toEqual(new Set([true, false]))
    for (const concurrent of concurrentUses) {
      const state = fold([...base, invitation, ...concurrent.entries, cancelled])
      expect(verdict(state, concurrent.id)).toBe('invitation-cancelled')
      expect(roleOf(state, ada.publicKey)).toBeUndefined()
    }
    const concurrent = redeem(invitation, ada)
    // A cancellation that has seen the countersignature closes the invitation and leaves the guest in.
    const seen = cancel(bob, [concurrent.id])
    expect(roleOf(fold([...base, invitation, ...concurrent.entries, seen]), ada.publicKey)).toBe('editor')
  })

  it('lets the inviter or anyone who may grant the role cancel, and nobody else', () => {
    const byOwner = cancel(alice, [invitation.id])
    const byEditor = cancel(carol, [invitation.id])
    expect(verdict(fold([...base, invitation, byOwner]), byOwner.id)).toBe('applied')
    expect(verdict(fold([...base, invitation, byEditor]), byEditor.id)).toBe('unauthorized')
    const unknown = cancel(alice, baseHead, linkKey(9))
    expect(verdict(fold([...base, unknown]), unknown.id)).toBe('unknown-invitation')
  })

  it('never downgrades a member, and changes nothing for one who holds the role (would-downgrade, already-member)', () => {
    const adaAdmin = issueMember({
      actor: actor(alice),
      space,
      subject: ada.publicKey,
      role: 'admin',
      parents: baseHead,
      clock,
    })
    const downgrade = redeem(invitation, ada, { heads: [adaAdmin.id] })
    const state = fold([...base, adaAdmin, invitation, ...downgrade.entries])
    expect(verdict(state, downgrade.id)).toBe('would-downgrade')
    expect(roleOf(state, ada.publicKey)).toBe('admin')
    const benEditor = issueMember({
      actor: actor(bob),
      space,
      subject: ben.publicKey,
      role: 'editor',
      parents: baseHead,
      clock,
    })
    const same = redeem(invitation, ben, { heads: [benEditor.id] })
    const again = fold([...base, benEditor, invitation, ...same.entries])
    expect(verdict(again, same.id)).toBe('already-member')
    // Nothing used: the invitation still admits someone else.
    expect(again.invitations[0]?.usesLeft).toBe(1)
    // A viewer invited as an editor is raised.
    const cyViewer = issueMember({
      actor: actor(bob),
      space,
      subject: cy.publicKey,
      role: 'viewer',
      parents: baseHead,
      clock,
    })
    const raise = redeem(invitation, cy, { heads: [cyViewer.id] })
    expect(roleOf(fold([...base, cyViewer, invitation, ...raise.entries]), cy.publicKey)).toBe('editor')
  })

  it('lets a removal win over a concurrent admission by invitation, in either order', () => {
    const admitted = redeem(invitation, ada)
    const readmitted = redeem(invite(bob, { key: linkKey(1), parents: [admitted.id] }), ada, { key: linkKey(1) })
    const removed = removal(alice, ada, [admitted.id])
    const log = [
      ...base,
      invitation,
      ...admitted.entries,
      invite(bob, { key: linkKey(1), parents: [admitted.id] }),
      ...readmitted.entries,
      removed,
    ]
    const state = fold(log)
    expect(roleOf(state, ada.publicKey)).toBeUndefined()
    // The second admission is concurrent with the removal of its guest (rule 4a).
    expect(verdict(state, readmitted.id)).toBe('removed-concurrently')
    expect(incremental(log)).toEqual(state)
  })

  it('admits nobody once the inviter was removed, or with another role, or not descending from the invitation', () => {
    const removed = removal(alice, bob, [invitation.id])
    const afterRemoval = redeem(invitation, ada, { heads: [removed.id] })
    const state = fold([...base, invitation, removed, ...afterRemoval.entries])
    expect(verdict(state, afterRemoval.use.id)).toBe('unauthorized')
    expect(verdict(state, afterRemoval.id)).toBe('after-ignored')
    expect(roleOf(state, ada.publicKey)).toBeUndefined()
    expect(state.invitations[0]?.inviterMay).toBe(false)
    const otherRole = use(invitation, ada, { role: 'viewer' })
    expect(verdict(fold([...base, invitation, otherRole]), otherRole.id)).toBe('unauthorized')
    // Signed by the invite key but naming only the base: a key cannot use an invitation it does not descend from.
    const detached = issueCredential({
      issuer: linkKey(0).publicKey,
      subject: ada.publicKey,
      assertion: { kind: 'SpaceMember', space: spaceKey, role: 'editor' },
      signer: { key: linkKey(0) },
      clock,
      parents: baseHead,
    })
    expect(verdict(fold([...base, invitation, detached]), detached.id)).toBe('unauthorized')
  })

  it('voids a use signed by another key than the invitation’s (a forged signature)', () => {
    const honest = use(invitation, ada)
    const forged = { ...honest, proof: { ...honest.proof, signature: use(invitation, ben).proof.signature } }
    expect(verdict(fold([...base, invitation, forged]), honest.id)).toBe('invalid')
  })
})

describe('checkInvitationUse (the host’s check, with its own clock)', () => {
  const invitation = invite(bob, { uses: 2 })
  const now = T0 + 1000

  it('gives the invitation when it may admit the guest', () => {
    const result = checkInvitationUse(fold([...base, invitation]), invitation.id, now, ada.publicKey)
    expect(result.ok && [result.value.id, result.value.role, result.value.usesLeft]).toEqual([
      invitation.id,
      'editor',
      2,
    ])
  })

  it('gives a typed code for each refusal', () => {
    const state = fold([...base, invitation])
    expect(problem(checkInvitationUse(state, 'f'.repeat(64) as CredentialId, now))).toBe('invitation-unknown')
    expect(problem(checkInvitationUse(state, invitation.id, T0 + HOUR + 1))).toBe('invitation-expired')
    expect(problem(checkInvitationUse(state, invitation.id, T0 + HOUR))).toBe('ok')
    const cancelled = fold([...base, invitation, cancel(bob, [invitation.id])])
    expect(problem(checkInvitationUse(cancelled, invitation.id, now))).toBe('invitation-cancelled')
    const first = redeem(invitation, ada)
    const second = redeem(invitation, ben, { heads: [first.id] })
    const usedUp = fold([...base, invitation, ...first.entries, ...second.entries])
    expect(problem(checkInvitationUse(usedUp, invitation.id, now))).toBe('invitation-used')
    const afterOne = fold([...base, invitation, ...first.entries])
    expect(problem(checkInvitationUse(afterOne, invitation.id, now, ada.publicKey))).toBe('already-member')
    expect(problem(checkInvitationUse(afterOne, invitation.id, now, bob.publicKey))).toBe('would-downgrade')
    const demoted = issueMember({
      actor: actor(alice),
      space,
      subject: bob.publicKey,
      role: 'viewer',
      parents: [invitation.id],
      clock,
    })
    const inviterDemoted = fold([...base, invitation, demoted])
    expect(problem(checkInvitationUse(inviterDemoted, invitation.id, now))).toBe('inviter-cannot-grant')
    // A removed inviter grants nothing: the invitation admits nobody, though no removal closes it.
    const inviterGone = fold([...base, invitation, removal(alice, bob, [invitation.id])])
    expect(problem(checkInvitationUse(inviterGone, invitation.id, now))).toBe('inviter-cannot-grant')
  })

  it('closes no invitation on a removal or a leave, and voids no use; the link admits until it is cancelled', () => {
    // Carol, an editor, removed with parents her remover chose: the open invitation and its uses stay.
    const removed = removal(alice, carol, baseHead)
    const concurrent = fold([...base, invitation, removed])
    expect(concurrent.invitations.map((known) => known.cancelled)).toEqual([false])
    expect(problem(checkInvitationUse(concurrent, invitation.id, now))).toBe('ok')
    const seenUse = redeem(invitation, ada)
    for (const gone of [removed, removal(carol, carol, baseHead), removal(carol, carol, [seenUse.id])]) {
      const log = [...base, invitation, ...seenUse.entries, gone]
      const state = fold(log)
      expect(verdict(state, seenUse.id)).toBe('applied')
      expect(roleOf(state, ada.publicKey)).toBe('editor')
      expect(roleOf(state, carol.publicKey)).toBeUndefined()
      expect(incremental(log)).toEqual(state)
    }
    // The residual (CONTEXT.md, rule 8): if Carol kept the link, she comes back under a new identity through it
    // until it is cancelled; a cancellation she has not seen voids that use.
    const comeback = redeem(invitation, ben, { heads: [removed.id] })
    expect(roleOf(fold([...base, invitation, removed, ...comeback.entries]), ben.publicKey)).toBe('editor')
    const cancelled = cancel(bob, [invitation.id, removed.id])
    const closed = fold([...base, invitation, removed, cancelled, ...comeback.entries])
    expect(verdict(closed, comeback.id)).toBe('invitation-cancelled')
    expect(roleOf(closed, ben.publicKey)).toBeUndefined()
  })
})
