import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Credential, CredentialId, KeyPair, PublicKey, SpaceRole } from '../../halo'
import { generateKeyPair, issueCredential } from '../../halo'
import { checkProperty, propertyTimeout } from '../../base/testing/properties'
import { issueMember } from './entries'
import type { MembershipState } from './fold'
import { foldMembership, roleOf } from './fold'
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
  outsider,
  removal,
  space,
  T0,
  use,
} from '../testing/invitations'
import { INVITATION_SKEW_MS } from './invitations'

const spaceKey = space as string as PublicKey
const withSignature = (entry: Credential, signature: string): Credential => ({
  ...entry,
  proof: { ...entry.proof, signature },
})
const fold = (log: readonly unknown[]) => foldMembership(space, log)
/** What delivery order and junk must not change. */
const essence = (state: MembershipState) => ({
  members: state.members,
  applied: state.applied,
  invitations: state.invitations,
})
// Property tests run many cases; on a busy two-core machine they need more than the default 5 s.
const PROPERTY_TIMEOUT_MS = propertyTimeout()

/** `log` delivered in the order `keys` gives (a permutation). */
const shuffled = <T>(log: readonly T[], keys: readonly number[]): T[] =>
  log
    .map((entry, index) => ({ entry, key: keys[index] ?? index, index }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map(({ entry }) => entry)

/** The same state whatever the order the entries arrive in, folded at once or one at a time. */
const sameEverywhere = (log: readonly Credential[], keys: readonly number[]): MembershipState => {
  const state = fold(log)
  const delivered = shuffled(log, keys)
  expect(fold(delivered)).toEqual(state)
  expect(incremental(delivered)).toEqual(state)
  return state
}

const ancestorsOf = (log: readonly Credential[], id: CredentialId): Set<CredentialId> => {
  const byId = new Map(log.map((entry) => [entry.id, entry]))
  const seen = new Set<CredentialId>()
  const stack = [...(byId.get(id)?.parents ?? [])]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue
    seen.add(next)
    stack.push(...(byId.get(next)?.parents ?? []))
  }
  return seen
}

/** Uses by distinct guests; each names the invitation and some earlier uses (what its host had seen). */
const redemptions = fc.array(fc.record({ seen: fc.array(fc.boolean(), { maxLength: 5 }), grind: fc.nat(1000) }), {
  minLength: 1,
  maxLength: guests.length,
})
interface Redemption {
  readonly seen: readonly boolean[]
  readonly grind: number
}

const usesOf = (invitation: Credential, steps: readonly Redemption[]): Credential[] => {
  const made: Credential[] = []
  steps.forEach(({ seen, grind }, n) => {
    const heads = made.filter((_, index) => seen[index] === true).map((entry) => entry.id)
    made.push(use(invitation, guests[n] ?? alice, { heads: [...baseHead, ...heads], time: T0 + 1000 + grind }))
  })
  return made
}

const applied = (state: MembershipState, entries: readonly Credential[]) =>
  entries.filter((entry) => state.applied.includes(entry.id))

describe('invitation properties', () => {
  it(
    'lets a cancellation win over every use it has not seen, in every delivery order',
    () => {
      checkProperty(
        fc.property(
          redemptions,
          fc.array(fc.boolean(), { maxLength: 5 }),
          fc.boolean(),
          fc.array(fc.nat()),
          (steps, seenByCancel, byOwner, keys) => {
            const invitation = invite(bob, { uses: steps.length })
            const uses = usesOf(invitation, steps)
            const seen = uses.filter((_, index) => seenByCancel[index] === true).map((entry) => entry.id)
            const cancelled = cancel(byOwner ? alice : bob, [invitation.id, ...seen])
            const log = [...base, invitation, ...uses, cancelled]
            const state = sameEverywhere(log, keys)
            const before = ancestorsOf(log, cancelled.id)
            for (const entry of uses) {
              expect(state.applied.includes(entry.id)).toBe(before.has(entry.id))
            }
            expect(state.invitations[0]?.cancelled).toBe(true)
          },
        ),
        { seed: 1201, numRuns: 30 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  describe('expiry', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    it(
      'is judged by the use’s issuedAt against until, alike whatever the folding peer’s clock says',
      () => {
        vi.useFakeTimers({ toFake: ['Date'] })
        checkProperty(
          fc.property(
            fc.integer({ min: 1, max: 7 * 24 }),
            fc.integer({ min: -HOUR, max: HOUR }),
            fc.array(fc.integer({ min: 0, max: 4_000_000_000_000 }), { minLength: 2, maxLength: 3 }),
            (hours, offset, peerClocks) => {
              const until = T0 + hours * HOUR
              const invitation = invite(bob, { until })
              const time = until + INVITATION_SKEW_MS + offset
              const admitted = use(invitation, guests[0], { time })
              const log = [...base, invitation, admitted]
              const states = peerClocks.map((now) => {
                vi.setSystemTime(now)
                return fold(log)
              })
              for (const state of states) expect(state).toEqual(states[0])
              expect(states[0]?.applied.includes(admitted.id)).toBe(time <= until + INVITATION_SKEW_MS)
            },
          ),
          { seed: 1202, numRuns: 40 },
        )
      },
      PROPERTY_TIMEOUT_MS,
    )
  })

  it(
    'admits exactly one guest with a single-use invitation under concurrent redemptions, the same in every order',
    () => {
      checkProperty(
        fc.property(redemptions, fc.array(fc.nat()), fc.array(fc.nat()), (steps, keys, otherKeys) => {
          const invitation = invite(bob)
          const uses = usesOf(invitation, steps)
          const log = [...base, invitation, ...uses]
          const state = sameEverywhere(log, keys)
          sameEverywhere(log, otherKeys)
          expect(applied(state, uses)).toHaveLength(1)
          expect(state.invitations[0]?.usesLeft).toBe(0)
          for (const entry of uses) {
            if (!state.applied.includes(entry.id)) {
              expect(state.ignored).toContainEqual({ id: entry.id, reason: 'invitation-used' })
            }
          }
        }),
        { seed: 1203, numRuns: 30 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'admits at most N guests with an N-use invitation (exactly N when more come)',
    () => {
      checkProperty(
        fc.property(fc.integer({ min: 1, max: 4 }), redemptions, fc.array(fc.nat()), (n, steps, keys) => {
          const invitation = invite(alice, { uses: n, role: 'viewer' })
          const uses = usesOf(invitation, steps)
          const state = sameEverywhere([...base, invitation, ...uses], keys)
          expect(applied(state, uses)).toHaveLength(Math.min(n, uses.length))
          expect(state.invitations[0]?.usesLeft).toBe(Math.max(0, n - uses.length))
        }),
        { seed: 1204, numRuns: 40 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'lets the removal of an inviter win against its concurrent invitations, admissions and uses after it',
    () => {
      checkProperty(
        fc.property(
          fc.boolean(),
          redemptions,
          fc.array(fc.boolean(), { maxLength: 5 }),
          fc.array(fc.nat()),
          (removalSawInvitation, steps, afterRemoval, keys) => {
            const invitation = invite(bob, { uses: steps.length })
            const removed = removal(alice, bob, removalSawInvitation ? [invitation.id] : baseHead)
            // Bob keeps writing, unaware: an admission concurrent with his removal.
            const write = issueMember({
              actor: actor(bob),
              space,
              subject: outsider.publicKey,
              role: 'viewer',
              parents: [invitation.id],
              clock,
            })
            const uses = steps.map(({ grind }, n) =>
              use(invitation, guests[n] ?? alice, {
                heads: afterRemoval[n] === true ? [removed.id] : baseHead,
                time: T0 + 1000 + grind,
              }),
            )
            const log = [...base, invitation, removed, write, ...uses]
            const state = sameEverywhere(log, keys)
            expect(roleOf(state, bob.publicKey)).toBeUndefined()
            expect(state.applied).not.toContain(write.id)
            if (!removalSawInvitation) {
              expect(state.applied).not.toContain(invitation.id)
              expect(applied(state, uses)).toEqual([])
            }
            for (const entry of uses) {
              if (ancestorsOf(log, entry.id).has(removed.id)) expect(state.applied).not.toContain(entry.id)
            }
            expect(state.invitations.every((known) => !known.inviterMay)).toBe(true)
          },
        ),
        { seed: 1205, numRuns: 40 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'voids an invitation a removal has not seen, with every use the removal has not seen, under concurrent redemptions',
    () => {
      checkProperty(
        fc.property(
          redemptions,
          fc.array(fc.boolean(), { maxLength: 5 }),
          fc.constantFrom('before', 'concurrent', 'after'),
          fc.boolean(),
          fc.array(fc.nat()),
          (steps, seenByRemoval, issued, leaves, keys) => {
            // Carol (an editor, who could read the secret) is removed, or leaves.
            const remover = leaves ? carol : alice
            const after = issued === 'after' ? removal(remover, carol, baseHead) : undefined
            const invitation = invite(bob, { uses: steps.length, parents: after === undefined ? baseHead : [after.id] })
            const uses = usesOf(invitation, steps)
            const seen = uses.filter((_, index) => seenByRemoval[index] === true).map((entry) => entry.id)
            const removed =
              after ?? removal(remover, carol, issued === 'before' ? [invitation.id, ...seen] : [...baseHead, ...seen])
            const log = [
              ...base,
              ...(after === undefined ? [] : [after]),
              invitation,
              ...uses,
              ...(after ? [] : [removed]),
            ]
            const state = sameEverywhere(log, keys)
            expect(roleOf(state, carol.publicKey)).toBeUndefined()
            if (issued === 'after') {
              expect(state.invitations.map((known) => known.cancelled)).toEqual([false])
              expect(applied(state, uses)).toEqual(uses)
              return
            }
            expect(state.invitations.map((known) => known.cancelled)).toEqual([true])
            const before = ancestorsOf(log, removed.id)
            for (const entry of uses) expect(state.applied.includes(entry.id)).toBe(before.has(entry.id))
          },
        ),
        { seed: 1207, numRuns: 40 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'ignores forged uses and invitations: a stranger’s key, a bad signature, an editor’s invitation, no descent',
    () => {
      checkProperty(
        fc.property(redemptions, fc.array(fc.nat()), (steps, keys) => {
          const invitation = invite(bob, { uses: steps.length })
          const uses = usesOf(invitation, steps)
          const honestLog = [...base, invitation, ...uses]
          const honest = fold(honestLog)
          const heads = [...honest.heads]
          const stranger = generateKeyPair()
          const intruder = outsider
          const member = (issuer: KeyPair, parents: readonly CredentialId[], role: SpaceRole = 'admin') =>
            issueCredential({
              issuer: issuer.publicKey,
              subject: intruder.publicKey,
              assertion: { kind: 'SpaceMember', space: spaceKey, role },
              signer: { key: issuer },
              clock,
              parents,
            })
          const byEditor = invite(carol, { key: linkKey(7), role: 'viewer', parents: heads })
          const forged = [
            // A random key naming the invitation it was never given.
            member(stranger, [invitation.id, ...heads]),
            // The invite key's public half with a stranger's signature.
            withSignature(use(invitation, intruder, { heads }), member(stranger, heads).proof.signature),
            // The invite key signing a use that does not descend from the invitation.
            member(linkKey(0), baseHead, 'editor'),
            // The invite key asking for more than the invitation gives.
            member(linkKey(0), [invitation.id, ...heads]),
            // An editor's invitation, its use, and an editor's cancellation of the real one.
            byEditor,
            use(byEditor, intruder, { key: linkKey(7), heads: [byEditor.id] }),
            cancel(carol, heads),
          ]
          const attacked = sameEverywhere([...honestLog, ...forged], keys)
          expect(essence(attacked)).toEqual(essence(honest))
          expect(roleOf(attacked, intruder.publicKey)).toBeUndefined()
        }),
        { seed: 1206, numRuns: 30 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})
