// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, T0 } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import { systemClock, toBase64Url, toHex } from '../../base'
import { invitationKey, inviteRendezvous, newLinkSecret } from '../../halo'
import { issueInvitationUse } from '../membership/entries'
import { checkInvitationUse } from '../membership/invitation-check'
import { toPlain } from './documents'
import { invitationRoomEntry } from './invitation-rooms'
import { rootOf } from '../testing/internals'

describe('invitations of a space', () => {
  it('opens one (K nowhere in the root), admits a guest by its use and the host’s countersignature once, and cancels', async () => {
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
    })
    if (!opened.ok) throw opened.error
    const root = JSON.stringify(rootOf(space).doc())
    for (const form of [toBase64Url(secret), toHex(secret)]) expect(root).not.toContain(form)
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

  it('keeps the rendezvous R_K in the root, outside the log; none for a refused invitation or a malformed entry', async () => {
    const echo = openTestEcho()
    const ada = makeActor()
    const viewer = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    space.admit(ada, viewer.identity, 'viewer')
    const secret = newLinkSecret()
    const key = invitationKey(secret).publicKey
    const room = invitationRoomEntry(space.id, secret)
    const until = T0 + 60_000
    expect(space.invite(ada, { key, role: 'editor', uses: 1, until }, room).ok).toBe(true)
    expect(space.invitationRooms.get()).toEqual(new Map([[key, inviteRendezvous(secret)]]))
    expect(toPlain(rootOf(space).doc().inviteRooms)).toEqual({ [key]: room })
    // The log, which goes out to guests, names no room (review 13 G4); K is nowhere in the root.
    expect(JSON.stringify(space.logValues())).not.toContain(room.rendezvous)
    const root = JSON.stringify(rootOf(space).doc())
    for (const form of [toBase64Url(secret), toHex(secret)]) expect(root).not.toContain(form)

    const other = invitationKey(newLinkSecret()).publicKey
    expect(space.invite(viewer, { key: other, role: 'editor', uses: 1, until }, room).ok).toBe(false)
    const third = invitationKey(newLinkSecret()).publicKey
    space.invite(ada, { key: third, role: 'viewer', uses: 1, until }, { rendezvous: 'short', sig: room.sig })
    // Well-formed, but signed by another key than the invitation's: not a room anybody hosts.
    const fourth = invitationKey(newLinkSecret()).publicKey
    space.invite(ada, { key: fourth, role: 'viewer', uses: 1, until }, room)
    expect([...space.invitationRooms.get().keys()]).toEqual([key])
    await echo.close()
  })

  it('refuses an invitation by a member who may not grant the role', async () => {
    const echo = openTestEcho()
    const ada = makeActor()
    const viewer = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    space.admit(ada, viewer.identity, 'viewer')
    const secret = newLinkSecret()
    const key = invitationKey(secret).publicKey
    const until = systemClock.now() + 60_000
    const refused = space.invite(viewer, { key, role: 'editor', uses: 1, until })
    expect(refused.ok).toBe(false)
    expect(space.membership.get().invitations).toEqual([])
    expect(space.cancelInvitation(viewer, key).ok).toBe(false)
    await echo.close()
  })
})
