// Fixtures first: they install fake-indexeddb before Dexie loads.
import { makeActor, openTestEcho, T0 } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import type { Result } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential, CredentialId, PublicKey } from '../../halo'
import { decodeCredential, generateKeyPair, issueCredential } from '../../halo'
import type { NotAllowed } from '../errors'
import { issueMember } from '../membership/entries'
import { MAX_ENTRY_PARENTS } from '../membership/parents'
import { toStored } from './documents'
import type { Space } from './space'
import { rootOf } from '../testing/internals'

const accepted = <T>(result: Result<T, NotAllowed>): T => {
  if (!result.ok) throw result.error
  return result.value
}

/** Entries arriving together (a sync, a file): one change of the root. */
const appendAll = (space: Space, entries: readonly Credential[]): void => {
  rootOf(space).change((doc) => {
    for (const entry of entries) doc.log[entry.id] = toStored(entry)
  })
}

describe('junk cannot freeze the membership log', () => {
  it('takes admissions and removals after 65 verified but unauthorized entries', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const bob = makeActor()
    const outsider = makeActor()
    const space = await echo.createSpace(alice, 'Busy')
    const honestHeads = space.membership.get().heads
    const junk = Array.from({ length: 65 }, (_, index) =>
      issueMember({
        actor: outsider,
        space: space.id,
        subject: makeActor().identity,
        role: 'owner',
        parents: honestHeads,
        clock: new ManualClock(T0 + index),
      }),
    )
    appendAll(space, junk)
    expect(space.membership.get().heads).toEqual(honestHeads)

    const admitted = accepted(space.admit(alice, bob.identity, 'editor'))
    expect(admitted.parents).toEqual(honestHeads)
    expect(space.roleOf(bob.identity)).toBe('editor')
    accepted(space.remove(alice, bob.identity))
    expect(space.roleOf(bob.identity)).toBeUndefined()
    await echo.close()
  })

  it('takes admissions and removals after a flood of 1,000 junk entries of every kind', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = makeActor()
    const bob = makeActor()
    const carol = makeActor()
    const outsider = makeActor()
    const space = await echo.createSpace(alice, 'Flooded')
    accepted(space.admit(alice, bob.identity, 'admin'))
    const beforeRemoval = space.membership.get().heads
    accepted(space.remove(alice, bob.identity))
    const honestHeads = space.membership.get().heads
    const members = () => space.membership.get().members.map((member) => `${member.key}:${member.role}`)
    const honestMembers = members()
    const stranger = () => makeActor().identity
    const at = (index: number) => new ManualClock(T0 + index)
    const missingParent = '0'.repeat(64) as CredentialId
    const kinds: ((index: number) => Credential)[] = [
      // Signed by someone who holds no role.
      (index) =>
        issueMember({
          actor: outsider,
          space: space.id,
          subject: stranger(),
          role: 'owner',
          parents: honestHeads,
          clock: at(index),
        }),
      // Alice's name with a signature that does not hold.
      (index) => {
        const entry = issueMember({
          actor: alice,
          space: space.id,
          subject: stranger(),
          role: 'editor',
          parents: honestHeads,
          clock: at(index),
        })
        const signature = entry.proof.signature
        const flipped = (signature.startsWith('0') ? '1' : '0') + signature.slice(1)
        return { ...entry, proof: { ...entry.proof, signature: flipped } }
      },
      // Alice's own, but with an expiry: a log entry never carries one.
      (index) =>
        issueCredential({
          issuer: alice.identity,
          subject: stranger(),
          assertion: { kind: 'SpaceMember', space: space.id as string as PublicKey, role: 'viewer' },
          signer: alice.signer,
          clock: at(index),
          expiresAt: T0 + 60_000,
          parents: honestHeads,
        }),
      // Alice's own, on a parent that never arrives.
      (index) =>
        issueMember({
          actor: alice,
          space: space.id,
          subject: stranger(),
          role: 'editor',
          parents: [missingParent],
          clock: at(index),
        }),
      // Bob, removed, admitting people on the history from before his removal (backdated).
      (index) =>
        issueMember({
          actor: bob,
          space: space.id,
          subject: stranger(),
          role: 'editor',
          parents: beforeRemoval,
          clock: at(index),
        }),
    ]
    const junk = kinds.flatMap((kind) => Array.from({ length: 200 }, (_, index) => kind(index)))
    appendAll(space, junk)
    expect(space.membership.get().heads).toEqual(honestHeads)
    expect(members()).toEqual(honestMembers)
    const reasons = new Map<string, number>()
    for (const { reason } of space.membership.get().ignored) reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
    // Each kind is ignored for its own reason, none by accident of another.
    expect(Object.fromEntries(reasons)).toEqual({
      unauthorized: 200,
      invalid: 200,
      'has-expiry': 200,
      'invalid-parent': 200,
      'issuer-removed': 200,
    })

    const admitted = accepted(space.admit(alice, carol.identity, 'editor'))
    expect(admitted.parents).toEqual(honestHeads)
    expect(space.roleOf(carol.identity)).toBe('editor')
    accepted(space.remove(alice, carol.identity))
    expect(space.roleOf(carol.identity)).toBeUndefined()
    expect(space.roleOf(bob.identity)).toBeUndefined()
    expect(members()).toEqual(honestMembers)
    await echo.close()
    // Each of the three folds of 1,000 entries takes about a second here; a loaded machine takes several.
  }, 60_000)

  it('names at most 64 parents when more entries than that took effect concurrently', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = makeActor()
    const bob = makeActor()
    const space = await echo.createSpace(alice, 'Wide')
    const base = space.membership.get().heads
    // 70 admissions from one point of the history: 70 heads that all took effect (as a sync would bring them).
    const wide = Array.from({ length: 70 }, (_, index) =>
      issueMember({
        actor: alice,
        space: space.id,
        subject: makeActor().identity,
        role: 'viewer',
        parents: base,
        clock: new ManualClock(T0 + index),
      }),
    )
    appendAll(space, wide)
    expect(space.membership.get().heads).toHaveLength(70)

    const admitted = accepted(space.admit(alice, bob.identity, 'editor'))
    expect(admitted.parents).toHaveLength(MAX_ENTRY_PARENTS)
    expect(decodeCredential(JSON.parse(JSON.stringify(admitted))).ok).toBe(true)
    expect(space.roleOf(bob.identity)).toBe('editor')
    expect(space.membership.get().heads).toHaveLength(70 - MAX_ENTRY_PARENTS + 1)
    accepted(space.remove(alice, bob.identity))
    expect(space.roleOf(bob.identity)).toBeUndefined()
    expect(space.membership.get().heads).toHaveLength(1)
    await echo.close()
  })

  it('keeps MAX_ENTRY_PARENTS in step with what halo decodes', () => {
    const key = generateKeyPair()
    const withParents = (count: number) =>
      issueCredential({
        issuer: key.publicKey,
        subject: key.publicKey,
        assertion: { kind: 'MemberRemoved', space: key.publicKey },
        signer: { key },
        clock: new ManualClock(T0),
        parents: Array.from({ length: count }, (_, index) => index.toString(16).padStart(64, '0') as CredentialId),
      })
    expect(decodeCredential(withParents(MAX_ENTRY_PARENTS)).ok).toBe(true)
    expect(decodeCredential(withParents(MAX_ENTRY_PARENTS + 1)).ok).toBe(false)
  })

  it('lets no entry with a short expiresAt void later entries when time passes', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = makeActor()
    const bob = makeActor()
    const carol = makeActor()
    const space = await echo.createSpace(alice, 'Bomb')
    // Signed by the owner herself, so nothing is wrong with it but its expiry.
    const spaceKey = space.id as string as PublicKey
    space.append(
      issueCredential({
        issuer: alice.identity,
        subject: makeActor().identity,
        assertion: { kind: 'SpaceMember', space: spaceKey, role: 'viewer' },
        signer: alice.signer,
        clock,
        expiresAt: T0 + 60_000,
        parents: space.membership.get().heads,
      }),
    )
    expect(space.membership.get().ignored.map((entry) => entry.reason)).toContain('has-expiry')
    accepted(space.admit(alice, bob.identity, 'editor'))
    clock.advance(10 * 60_000)
    accepted(space.admit(alice, carol.identity, 'viewer'))
    expect(space.roleOf(bob.identity)).toBe('editor')
    expect(space.roleOf(carol.identity)).toBe('viewer')
    await echo.close()
  })
})

describe('admit, remove and leave say when the entry did not take effect', () => {
  it('return NotAllowed and write nothing', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const bob = makeActor()
    const stranger = makeActor()
    const space = await echo.createSpace(alice, 'Strict')
    accepted(space.admit(alice, bob.identity, 'editor'))
    const entries = () => Object.keys(rootOf(space).doc().log).length
    const before = entries()

    const byEditor = space.admit(bob, stranger.identity, 'viewer')
    expect(!byEditor.ok && byEditor.error.code).toBe('not-allowed')
    const lastOwner = space.remove(alice, alice.identity)
    expect(!lastOwner.ok && lastOwner.error.code).toBe('not-allowed')
    const byStranger = space.remove(stranger, bob.identity)
    expect(!byStranger.ok && byStranger.error.code).toBe('not-allowed')
    const strangerLeaves = await echo.leave(stranger, space)
    expect(!strangerLeaves.ok && strangerLeaves.error.code).toBe('not-allowed')
    expect((await echo.listSpaces(alice.identity)).map((row) => row.archived)).toEqual([0])
    expect(entries()).toBe(before)
    expect(space.roleOf(bob.identity)).toBe('editor')
    await echo.close()
  })
})
