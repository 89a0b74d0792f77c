// The fold, the space and leaving must agree with `can` for every role and action: a role check written
// anywhere else that disagrees with the policy's table fails here. The fixtures install fake-indexeddb first.
import { makeActor, openTestEcho, T0 } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential, CredentialId, KeyPair, SpaceRole } from '../../halo'
import { generateKeyPair } from '../../halo'
import type { SpaceId } from '../ids'
import type { Actor } from '../membership/entries'
import { issueDeviceRevocation, issueEpoch, issueGenesis, issueMember, issueRemoval } from '../membership/entries'
import { foldMembership } from '../membership/fold'
import type { SpaceAction } from '../membership/policy'
import { can, mayChange } from '../membership/policy'
import type { Echo } from '../echo'
import type { Space } from './space'

const ROLES: readonly SpaceRole[] = ['owner', 'admin', 'editor', 'viewer']
/** Every role, and no role at all (a stranger). */
const HOLDERS: readonly (SpaceRole | undefined)[] = [...ROLES, undefined]

// 125 signed entries, each folded: 2.6 s alone, past vitest's 5 s default at load average 7 on 2 cores.
describe('the fold agrees with the policy', { timeout: 60_000 }, () => {
  const clock = new ManualClock(T0)
  const spaceKey = generateKeyPair()
  const space = spaceKey.publicKey as string as SpaceId
  const [alice, zed, issuer, subject] = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()]
  const actor = (pair: KeyPair): Actor => ({ identity: pair.publicKey, signer: { key: pair } })

  /** Alice and Zed own the space (so no change meets the last-owner rule), the issuer holds `role`, the subject `from`. */
  const before = (role: SpaceRole | undefined, from: SpaceRole | undefined): Credential[] => {
    const log: Credential[] = [...issueGenesis(spaceKey, alice.publicKey, clock)]
    const grant = (subject: KeyPair, role: SpaceRole) => {
      const parents = [log.at(-1)?.id ?? ''] as CredentialId[]
      log.push(issueMember({ actor: actor(alice), space, subject: subject.publicKey, role, parents, clock }))
    }
    grant(zed, 'owner')
    if (role !== undefined) grant(issuer, role)
    if (from !== undefined) grant(subject, from)
    return log
  }

  /** The verdict on `entry`, issued by the issuer on top of `log`: whether the fold found it unauthorized. */
  const refused = (log: readonly Credential[], make: (parents: CredentialId[]) => Credential): boolean => {
    const entry = make([log.at(-1)?.id ?? ''] as CredentialId[])
    const state = foldMembership(space, [...log, entry])
    return state.ignored.some((ignored) => ignored.id === entry.id && ignored.reason === 'unauthorized')
  }

  it('on admitting, changing and removing, for every issuer role, role before and role after', () => {
    for (const role of HOLDERS) {
      for (const from of [undefined, ...ROLES]) {
        for (const to of [...ROLES, 'removed'] as const) {
          const log = before(role, from)
          const request = { actor: actor(issuer), space, subject: subject.publicKey, clock }
          const made = refused(log, (parents) =>
            to === 'removed' ? issueRemoval({ ...request, parents }) : issueMember({ ...request, role: to, parents }),
          )
          expect({ role, from, to, allowed: !made }).toEqual({ role, from, to, allowed: mayChange(role, from, to) })
        }
      }
    }
  })

  it('on leaving, recording an epoch and revoking a device, for every role', () => {
    for (const role of HOLDERS) {
      const log = before(role, undefined)
      const base = { actor: actor(issuer), space, clock }
      const verdicts = {
        leave: !refused(log, (parents) => issueRemoval({ ...base, subject: issuer.publicKey, parents })),
        compact: !refused(log, (parents) => issueEpoch({ ...base, number: 1, snapshot: 'sha256:x', parents })),
        'revoke-device': !refused(log, (parents) =>
          issueDeviceRevocation({ ...base, device: generateKeyPair().publicKey, parents }),
        ),
      }
      expect({ role, ...verdicts }).toEqual({
        role,
        leave: can(role, 'leave'),
        compact: can(role, 'compact'),
        'revoke-device': can(role, 'revoke-device'),
      })
    }
  })
})

/** Tries one action through the space (or ECHO) as `actor`; true when it was allowed. */
type Probe = (setting: { echo: Echo; space: Space; actor: Actor; target: Actor }) => Promise<boolean>

/** Every action the space carries out today (`share` arrives with invitations, which must add their probe). */
const PROBES: Record<Exclude<SpaceAction, 'share'>, Probe> = {
  write: async ({ space, actor }) => (await space.create(actor, 'task', { title: 'T', done: false, order: 'a0' })).ok,
  rename: ({ space, actor }) => Promise.resolve(space.rename(actor, 'Renamed').ok),
  'revoke-device': ({ space, actor }) =>
    Promise.resolve(space.recordDeviceRevocation(actor, generateKeyPair().publicKey).ok),
  admit: ({ space, actor }) => Promise.resolve(space.admit(actor, generateKeyPair().publicKey, 'viewer').ok),
  remove: ({ space, actor, target }) => Promise.resolve(space.remove(actor, target.identity).ok),
  compact: async ({ space, actor }) => (await space.createEpoch(actor)).ok,
  // Last: it removes the actor.
  leave: async ({ echo, space, actor }) => (await echo.leave(actor, space)).ok,
}

describe('the space agrees with the policy', { timeout: 60_000 }, () => {
  for (const role of HOLDERS) {
    it(`for ${role ?? 'a stranger'}, on every action`, async () => {
      const echo = openTestEcho()
      const [alice, zed, actor, target] = [makeActor(), makeActor(), makeActor(), makeActor()]
      const space = await echo.createSpace(alice, 'Policy')
      expect(space.admit(alice, zed.identity, 'owner').ok).toBe(true)
      if (role !== undefined) expect(space.admit(alice, actor.identity, role).ok).toBe(true)
      expect(space.admit(alice, target.identity, 'viewer').ok).toBe(true)
      const outcomes: Partial<Record<SpaceAction, boolean>> = {}
      const expected: Partial<Record<SpaceAction, boolean>> = {}
      for (const [action, probe] of Object.entries(PROBES) as [SpaceAction, Probe][]) {
        outcomes[action] = await probe({ echo, space, actor, target })
        expected[action] = can(role, action)
      }
      expect(outcomes).toEqual(expected)
      await echo.close()
    })
  }
})
