// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, T0 } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import { systemClock, toBase64Url } from '../../base'
import { invitationKey, newLinkSecret } from '../../halo'
import { issueInvitationUse } from '../membership/entries'
import { checkInvitationUse } from '../membership/invitation-check'
import { rootOf } from '../testing/internals'

describe('invitations of a space', () => {
  it('opens one (K kept in the root), admits a guest by its use and the host’s countersignature once, and cancels', async () => {
    const echo = openTestEcho()
    const ada = makeActor()
    const guest = makeActor()
    const other = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    const secret = newLinkSecret()
    const key = invitationKey(secret)
    // The host's clock (the echo's) judges expiry.
    const until = T0 + 60_000
    const opened = space.invite(ada, {
      key: key.publicKey,
      role: 'editor',
      uses: 1,
      until,
      secret: toBase64Url(secret),
    })
    if (!opened.ok) throw opened.error
    expect(space.inviteSecrets.get()).toEqual({ [opened.value.id]: toBase64Url(secret) })
    expect(space.membership.get().invitations).toMatchObject([{ id: opened.value.id, usesLeft: 1, role: 'editor' }])

    const use = (who: typeof guest) =>
      issueInvitationUse({
        invitationKey: key,
        space: space.id,
        invitation: opened.value.id,
        heads: space.membership.get().heads,
        guest: who.identity,
        role: 'editor',
        clock: systemClock,
      })
    const first = use(guest)
    const admitted = space.admitGuest(ada, first)
    if (!admitted.ok) throw admitted.error
    expect(admitted.value.issuer).toBe(ada.identity)
    expect(admitted.value.parents[0]).toBe(first.id)
    expect(rootOf(space).doc().log[first.id]).toBeDefined()
    expect(space.roleOf(guest.identity)).toBe('editor')
    // Single use: a second guest's use would not take effect, so nothing is written (the fold's reason is given).
    const second = use(other)
    const refused = space.admitGuest(ada, second)
    expect(!refused.ok && refused.error.reason).toBe('invitation-used')
    expect(rootOf(space).doc().log[second.id]).toBeUndefined()
    expect(space.roleOf(other.identity)).toBeUndefined()
    const check = checkInvitationUse(space.membership.get(), opened.value.id, T0, other.identity)
    expect(!check.ok && check.error.code).toBe('invitation-used')

    expect(space.cancelInvitation(ada, key.publicKey).ok).toBe(true)
    expect(space.membership.get().invitations[0]?.cancelled).toBe(true)
    await echo.close()
  })

  it('deletes K from the root once the invitation is past until, only by a member who may share', async () => {
    const echo = openTestEcho()
    const ada = makeActor()
    const viewer = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    space.admit(ada, viewer.identity, 'viewer')
    const secret = newLinkSecret()
    const until = T0 + 60_000
    const opened = space.invite(ada, {
      key: invitationKey(secret).publicKey,
      role: 'editor',
      uses: 1,
      until,
      secret: toBase64Url(secret),
    })
    if (!opened.ok) throw opened.error
    expect(space.forgetSpentInviteSecrets(ada, until)).toEqual([])
    expect(space.forgetSpentInviteSecrets(viewer, until + 1)).toEqual([])
    expect(space.inviteSecrets.get()).toEqual({ [opened.value.id]: toBase64Url(secret) })
    expect(space.forgetSpentInviteSecrets(ada, until + 1)).toEqual([opened.value.id])
    expect(space.inviteSecrets.get()).toEqual({})
    await echo.close()
  })

  it('refuses an invitation by a member who may not grant the role, and keeps no secret for it', async () => {
    const echo = openTestEcho()
    const ada = makeActor()
    const viewer = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    space.admit(ada, viewer.identity, 'viewer')
    const secret = newLinkSecret()
    const key = invitationKey(secret).publicKey
    const until = systemClock.now() + 60_000
    const refused = space.invite(viewer, { key, role: 'editor', uses: 1, until, secret: toBase64Url(secret) })
    expect(refused.ok).toBe(false)
    expect(space.inviteSecrets.get()).toEqual({})
    expect(space.membership.get().invitations).toEqual([])
    expect(space.cancelInvitation(viewer, key).ok).toBe(false)
    await echo.close()
  })

  it('reads only well-formed secrets from the root (a peer may write junk there)', async () => {
    const echo = openTestEcho()
    const ada = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    rootOf(space).change((doc) => {
      ;(doc as unknown as { invites: unknown }).invites = {
        ['a'.repeat(64)]: 'short',
        nope: 'x'.repeat(43),
        ['b'.repeat(64)]: 'A'.repeat(43),
      }
    })
    expect(space.inviteSecrets.get()).toEqual({ ['b'.repeat(64)]: 'A'.repeat(43) })
    rootOf(space).change((doc) => {
      ;(doc as unknown as { invites: unknown }).invites = 'junk'
    })
    expect(space.inviteSecrets.get()).toEqual({})
    await echo.close()
  })
})
