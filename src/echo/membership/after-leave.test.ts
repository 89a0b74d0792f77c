/**
 * A member who left signs an entry backdated before her leave (issue 13, N11; rule 4c): it does not take effect
 * unless another member saw it before her leave. What she did before leaving stands, whatever leave she adds later.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkProperty, propertyTimeout } from '../../base/testing/properties'
import type { Credential, CredentialId, KeyPair, SpaceRole } from '../../halo'
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
  removal,
  space,
  verdict,
} from '../testing/invitations'
import { issueMember } from './entries'
import { foldMembership, roleOf } from './fold'

const xena = fixedKeyPair(40)
const yuri = fixedKeyPair(41)
const zoe = fixedKeyPair(42)
const puppet = fixedKeyPair(43)
const fold = (log: readonly unknown[]) => foldMembership(space, log)
const admit = (by: KeyPair, subject: KeyPair, role: SpaceRole, parents: readonly CredentialId[]) =>
  issueMember({ actor: actor(by), space, subject: subject.publicKey, role, parents, clock })

/** The owner made xena an owner; she admitted yuri, and bob then admitted zoe on top of that. */
const xenaOwner = admit(alice, xena, 'owner', baseHead)
const yuriIn = admit(xena, yuri, 'editor', [xenaOwner.id])
const zoeIn = admit(bob, zoe, 'viewer', [yuriIn.id])
const before: readonly Credential[] = [...base, xenaOwner, yuriIn, zoeIn]
/** Xena leaves with the heads she holds. */
const xenaLeaves = removal(xena, xena, [zoeIn.id])
const log: readonly Credential[] = [...before, xenaLeaves]

/** Every delivery order folds to one state, and one entry at a time gives the same. */
const expectOneState = (entries: readonly Credential[], keys: readonly number[]) => {
  const whole = fold(entries)
  const delivered = entries
    .map((entry, index) => ({ entry, key: keys[index] ?? index }))
    .sort((a, b) => a.key - b.key)
    .map(({ entry }) => entry)
  expect(fold(delivered)).toEqual(whole)
  expect(incremental(delivered)).toEqual(whole)
  return whole
}

describe('an entry a member who left signs, backdated before her leave (N11)', () => {
  it('does not remove the genesis owner, though it names only the entry that made her owner', () => {
    const late = removal(xena, alice, [xenaOwner.id])
    const after = expectOneState([...log, late], [])
    expect(verdict(after, xenaLeaves.id)).toBe('applied')
    expect(verdict(after, late.id)).toBe('issuer-left')
    expect(roleOf(after, alice.publicKey)).toBe('owner')
    expect(roleOf(after, xena.publicKey)).toBeUndefined()
    // Before the leave, the same removal by her (an owner then) takes effect.
    expect(verdict(fold([...before, removal(xena, alice, [zoeIn.id])]), removal(xena, alice, [zoeIn.id]).id)).toBe(
      'applied',
    )
  })

  it('admits no puppet, and nothing the puppet then signs takes effect', () => {
    const puppetIn = admit(xena, puppet, 'owner', [xenaOwner.id])
    const coup = removal(puppet, alice, [puppetIn.id])
    const after = expectOneState([...log, puppetIn, coup], [])
    expect(verdict(after, puppetIn.id)).toBe('issuer-left')
    expect(verdict(after, coup.id)).toBe('after-ignored')
    expect([puppet, alice].map((pair) => roleOf(after, pair.publicKey))).toEqual([undefined, 'owner'])
  })

  it('keeps what she did before leaving, when she signs a second leave backdated before it', () => {
    const again = removal(xena, xena, [xenaOwner.id])
    const after = expectOneState([...log, again], [])
    expect([yuri, zoe].map((pair) => roleOf(after, pair.publicKey))).toEqual(['editor', 'viewer'])
    expect(verdict(after, yuriIn.id)).toBe('applied')
    expect(roleOf(after, xena.publicKey)).toBeUndefined()
  })

  it('keeps an entry another member built on before seeing her leave (a race, not a backdating)', () => {
    // Her phone admits carol's friend while her laptop leaves; bob, who had not seen the leave, builds on it.
    const byPhone = admit(xena, puppet, 'editor', [zoeIn.id])
    const leave = removal(xena, xena, [zoeIn.id])
    const bobBuilds = admit(bob, fixedKeyPair(44), 'viewer', [byPhone.id])
    const after = expectOneState([...before, byPhone, leave, bobBuilds], [])
    expect(verdict(after, byPhone.id)).toBe('applied')
    expect(roleOf(after, puppet.publicKey)).toBe('editor')
    // Nobody saw it before the leave: it goes, as an entry of a removed member concurrent with her removal would.
    const unseen = expectOneState([...before, byPhone, leave], [])
    expect(verdict(unseen, byPhone.id)).toBe('issuer-left')
  })

  it(
    'changes no one’s role, in any delivery order, whatever she signs after leaving and whatever parents it names',
    () => {
      const others = [alice, bob, carol, yuri, zoe, puppet] as const
      const roles = ['owner', 'admin', 'editor', 'viewer'] as const
      const state = fold(log)
      const rolesOf = (folded: ReturnType<typeof fold>) =>
        folded.members.filter((member) => member.key !== xena.publicKey)
      checkProperty(
        fc.property(
          fc.array(
            fc.record({
              remove: fc.boolean(),
              subject: fc.nat(others.length - 1),
              role: fc.nat(roles.length - 1),
              // Her own grant and then any entries of the log (or of what she signed before), as a forger picks.
              parents: fc.array(fc.nat(20), { maxLength: 3 }),
            }),
            { minLength: 1, maxLength: 3 },
          ),
          fc.array(fc.nat()),
          (moves, keys) => {
            const signed: Credential[] = []
            for (const move of moves) {
              const pool = [...log, ...signed]
              const parents = [
                ...new Set([xenaOwner.id, ...move.parents.flatMap((index) => pool[index % pool.length]?.id ?? [])]),
              ]
              const subject = others[move.subject] ?? alice
              signed.push(
                move.remove
                  ? removal(xena, subject, parents)
                  : admit(xena, subject, roles[move.role] ?? 'owner', parents),
              )
            }
            const after = expectOneState([...log, ...signed], keys)
            expect(rolesOf(after)).toEqual(rolesOf(state))
            expect(roleOf(after, xena.publicKey)).toBeUndefined()
          },
        ),
        { seed: 1401, numRuns: 30 },
      )
    },
    propertyTimeout(),
  )
})
