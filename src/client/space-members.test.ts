import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Cell } from '../base'
import { ManualClock } from '../base/testing/manual-clock'
import { Echo, initEcho, type Actor, type Space } from '../echo'
import { fingerprint, generateKeyPair, issueCredential } from '../halo'
import type { Profile } from './identity-api'
import { OpenSpace } from './space-session'

beforeAll(async () => {
  const wasm = readFileSync(createRequire(import.meta.url).resolve('@automerge/automerge/automerge.wasm'))
  await initEcho(`data:application/wasm;base64,${wasm.toString('base64')}`)
})

const actor = (): Actor => {
  const key = generateKeyPair()
  return { identity: key.publicKey, signer: { key } }
}

const clock = new ManualClock(1_800_000_000_000)
let echo: Echo
let space: Space
let ada: Actor
let bo: Actor
let mine: OpenSpace
let theirs: OpenSpace
const online = new Cell<ReadonlyMap<string, readonly string[]>>(new Map())
const adaProfile: Profile = { displayName: 'Ada', avatar: { colour: '#336699', emoji: '🌱' } }

const sessionOf = (who: Actor, profile?: Profile) =>
  new OpenSpace(space, who, {
    exportSpace: () => Promise.reject(new Error('not used here')),
    flush: () => echo.flush(),
    members: { profile: new Cell(profile), online },
  })

/** Bo signs a Profile into the space's log, as a member's devices hand it to the others. */
const signProfile = (who: Actor, displayName: string) => {
  space.append(
    issueCredential({
      issuer: who.identity,
      subject: who.identity,
      assertion: { kind: 'Profile', displayName, avatar: { colour: '#aa5500' } },
      signer: who.signer,
      clock,
    }),
  )
}

const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error?.code)

beforeEach(async () => {
  echo = new Echo({ clock, database: { name: crypto.randomUUID() } })
  ada = actor()
  bo = actor()
  space = await echo.createSpace(ada, 'Garden plans')
  const admitted = space.admit(ada, bo.identity, 'editor')
  if (!admitted.ok) throw admitted.error
  mine = sessionOf(ada, adaProfile)
  theirs = sessionOf(bo)
  online.set(new Map())
})

afterEach(async () => {
  mine.close()
  theirs.close()
  await echo.close()
})

describe('a space’s members', { timeout: 30_000 }, () => {
  it('lists each member with profile, role, fingerprint, devices online and what we may do', () => {
    signProfile(bo, 'Bo')
    online.set(new Map([[bo.identity, ['device-1', 'device-2']]]))
    const [first, second] = mine.members.get()
    expect(first).toMatchObject({
      identity: ada.identity,
      displayName: 'Ada',
      avatar: adaProfile.avatar,
      role: 'owner',
      fingerprint: fingerprint(ada.identity),
      me: true,
      // This device, which the room does not list.
      devicesOnline: [ada.signer.key.publicKey],
      rolesAllowed: [],
      mayRemove: false,
    })
    expect(second).toMatchObject({
      identity: bo.identity,
      displayName: 'Bo',
      role: 'editor',
      me: false,
      devicesOnline: ['device-1', 'device-2'],
      rolesAllowed: ['owner', 'admin', 'editor', 'viewer'],
      mayRemove: true,
    })
    // An editor manages nobody.
    expect(theirs.members.get().map((member) => [member.rolesAllowed, member.mayRemove])).toEqual([
      [[], false],
      [[], false],
    ])
  })

  it('changes a role as the rules allow, and refuses what they do not', async () => {
    const roles: string[] = []
    mine.members.subscribe((members) => roles.push(members.map((member) => member.role).join()))
    expect(codeOf(await mine.setRole(bo.identity, 'admin'))).toBe('ok')
    expect(space.roleOf(bo.identity)).toBe('admin')
    expect(roles.at(-1)).toBe('owner,admin')
    // An admin manages editors and viewers only: not an owner.
    expect(codeOf(await theirs.setRole(ada.identity, 'viewer'))).toBe('last-owner')
    expect(codeOf(await theirs.removeMember(ada.identity))).toBe('last-owner')
    expect(codeOf(await mine.setRole(bo.identity, 'owner'))).toBe('ok')
    expect(codeOf(await mine.setRole(bo.identity, 'nobody' as never))).toBe('invalid-input')
    expect(codeOf(await mine.setRole(generateKeyPair().publicKey, 'viewer'))).toBe('not-a-member')
  })

  it('lets an admin manage editors and viewers, never an owner', async () => {
    expect(codeOf(await mine.setRole(bo.identity, 'admin'))).toBe('ok')
    const cy = actor()
    space.admit(ada, cy.identity, 'owner')
    expect(codeOf(await theirs.setRole(cy.identity, 'viewer'))).toBe('not-allowed')
    expect(codeOf(await theirs.removeMember(cy.identity))).toBe('not-allowed')
    expect(space.roleOf(cy.identity)).toBe('owner')
    expect(codeOf(await mine.setRole(cy.identity, 'editor'))).toBe('ok')
    expect(codeOf(await theirs.setRole(cy.identity, 'viewer'))).toBe('ok')
    expect(codeOf(await theirs.removeMember(cy.identity))).toBe('ok')
    expect(space.roleOf(cy.identity)).toBeUndefined()
  })

  it('keeps the last owner: they can neither leave nor be removed', async () => {
    expect(codeOf(await mine.leave())).toBe('last-owner-leave')
    expect(codeOf(await mine.removeMember(ada.identity))).toBe('last-owner-leave')
    expect(space.roleOf(ada.identity)).toBe('owner')
    // With a second owner, the first may go.
    expect(codeOf(await mine.setRole(bo.identity, 'owner'))).toBe('ok')
    expect(codeOf(await mine.leave())).toBe('ok')
    expect(space.roleOf(ada.identity)).toBeUndefined()
    // Left by itself: no removal to tell.
    expect(mine.removal.get()).toBeUndefined()
  })

  it('tells the removed member who removed them, and leaves them reading only', async () => {
    signProfile(ada, 'Ada')
    const heard: unknown[] = []
    theirs.removal.subscribe((removal) => heard.push(removal))
    expect(theirs.removal.get()).toBeUndefined()
    expect(codeOf(await mine.removeMember(bo.identity))).toBe('ok')
    const removal = { by: ada.identity, byName: 'Ada', byFingerprint: fingerprint(ada.identity) }
    expect(theirs.removal.get()).toEqual(removal)
    expect(heard).toEqual([removal])
    expect(theirs.canWrite.get()).toBe(false)
    expect(mine.members.get().map((member) => member.identity)).toEqual([ada.identity])
    expect(codeOf(await theirs.leave())).toBe('not-a-member')
    // Admitted again: no longer removed.
    space.admit(ada, bo.identity, 'viewer')
    expect(theirs.removal.get()).toBeUndefined()
  })

  it('cancels the open invitations it is asked to in the same change as a removal, and only those', async () => {
    const invite = (role: 'editor' | 'viewer' | 'admin', uses: number) => {
      const issued = space.invite(ada, { key: generateKeyPair().publicKey, role, uses, until: clock.now() + 60_000 })
      if (!issued.ok) throw issued.error
      return issued.value.id
    }
    const [group, forViewers, kept] = [invite('editor', 10), invite('viewer', 1), invite('admin', 1)]
    const cancelledOf = () =>
      Object.fromEntries(space.membership.get().invitations.map((each) => [each.id, each.cancelled]))
    // Bo, an admin, removes Cy: an admin may cancel Ada's links too.
    expect(codeOf(await mine.setRole(bo.identity, 'admin'))).toBe('ok')
    const cy = actor()
    space.admit(ada, cy.identity, 'editor')
    expect(codeOf(await theirs.removeMember(cy.identity, { cancelInvitations: [group, forViewers, 'unknown'] }))).toBe(
      'ok',
    )
    expect(space.roleOf(cy.identity)).toBeUndefined()
    expect(cancelledOf()).toEqual({ [group]: true, [forViewers]: true, [kept]: false })
    // A refused removal (Ada is the last owner) signs nothing, no cancellation either.
    const heads = space.membership.get().heads
    expect(codeOf(await theirs.removeMember(ada.identity, { cancelInvitations: [kept] }))).toBe('last-owner')
    expect(cancelledOf()[kept]).toBe(false)
    expect(space.membership.get().heads).toEqual(heads)
  })

  it('leaves a member who leaves, and says nothing of a removal', async () => {
    expect(codeOf(await theirs.leave())).toBe('ok')
    expect(space.roleOf(bo.identity)).toBeUndefined()
    expect(theirs.removal.get()).toBeUndefined()
  })
})
