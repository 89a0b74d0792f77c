import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential, CredentialId, KeyPair, PublicKey, SpaceRole } from '../../halo'
import { generateKeyPair, issueCredential } from '../../halo'
import { orderCopies } from './canonical-order'
import { issueCountersign, issueMember } from './entries'
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
  redeem,
  removal,
  space,
  T0,
  use,
} from '../testing/invitations'

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
const PROPERTY_TIMEOUT_MS = 60_000

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

/** Redemptions by distinct guests; each names the invitation and some earlier admissions (what its host had seen). */
const redemptions = fc.array(fc.record({ seen: fc.array(fc.boolean(), { maxLength: 5 }), grind: fc.nat(1000) }), {
  minLength: 1,
  maxLength: guests.length,
})
interface Redemption {
  readonly seen: readonly boolean[]
  readonly grind: number
}

/** The countersignatures (the entries that admit) and the log entries (uses and countersignatures). */
const usesOf = (
  invitation: Credential,
  steps: readonly Redemption[],
  host: KeyPair = alice,
): { admissions: Credential[]; entries: Credential[] } => {
  const admissions: Credential[] = []
  const entries: Credential[] = []
  steps.forEach(({ seen, grind }, n) => {
    const heads = admissions.filter((_, index) => seen[index] === true).map((entry) => entry.id)
    const made = redeem(invitation, guests[n] ?? alice, {
      host,
      heads: [...baseHead, ...heads],
      hostHeads: [invitation.id, ...heads],
      hostTime: T0 + 1000 + grind,
    })
    admissions.push(made.admission)
    entries.push(...made.entries)
  })
  return { admissions, entries }
}

/** Ids in the order the fold takes them. */
const canonical = (log: readonly Credential[]): CredentialId[] =>
  orderCopies(new Map(log.map((entry) => [entry.id, [entry]]))).entries.map((entry) => entry.id)

const applied = (state: MembershipState, entries: readonly Credential[]) =>
  entries.filter((entry) => state.applied.includes(entry.id))

describe('invitation properties', () => {
  it(
    'lets a cancellation win over every use it has not seen, in every delivery order',
    () => {
      fc.assert(
        fc.property(
          redemptions,
          fc.array(fc.boolean(), { maxLength: 5 }),
          fc.boolean(),
          fc.array(fc.nat()),
          (steps, seenByCancel, byOwner, keys) => {
            const invitation = invite(bob, { uses: steps.length })
            const { admissions: uses, entries } = usesOf(invitation, steps)
            const seen = uses.filter((_, index) => seenByCancel[index] === true).map((entry) => entry.id)
            const cancelled = cancel(byOwner ? alice : bob, [invitation.id, ...seen])
            const log = [...base, invitation, ...entries, cancelled]
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

  it(
    'lets a removal or a leave void no use and close no invitation, whatever it has seen, in every delivery order',
    () => {
      fc.assert(
        fc.property(
          redemptions,
          fc.array(fc.boolean(), { maxLength: 5 }),
          fc.boolean(),
          fc.array(fc.nat()),
          (steps, seenByRemoval, leaves, keys) => {
            const invitation = invite(bob, { uses: steps.length })
            const { admissions: uses, entries } = usesOf(invitation, steps)
            const seen = uses.filter((_, index) => seenByRemoval[index] === true).map((entry) => entry.id)
            // Carol, an editor, removed by the owner or leaving: her removal's parents are its signer's choice, so
            // they decide nothing about others' admissions (review 13, G1). Only a cancellation closes a link.
            const gone = removal(leaves ? carol : alice, carol, [...baseHead, ...seen])
            const later = invite(bob, { key: linkKey(1), parents: [gone.id] })
            const log = [...base, invitation, ...entries, gone, later]
            const state = sameEverywhere(log, keys)
            expect(applied(state, uses)).toEqual(uses)
            expect(roleOf(state, carol.publicKey)).toBeUndefined()
            expect(state.invitations.map((known) => [known.id, known.cancelled])).toEqual(
              expect.arrayContaining([
                [invitation.id, false],
                [later.id, false],
              ]),
            )
          },
        ),
        { seed: 1208, numRuns: 30 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  describe('expiry', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    it(
      'is judged by the host’s issuedAt against until, whatever the guest signed, alike on every peer’s clock',
      () => {
        vi.useFakeTimers({ toFake: ['Date'] })
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: 7 * 24 }),
            fc.integer({ min: -HOUR, max: HOUR }),
            fc.integer({ min: -7 * 24 * HOUR, max: 7 * 24 * HOUR }),
            fc.array(fc.integer({ min: 0, max: 4_000_000_000_000 }), { minLength: 2, maxLength: 3 }),
            (hours, offset, guestOffset, peerClocks) => {
              const until = T0 + hours * HOUR
              const invitation = invite(bob, { until })
              const time = until + offset
              // Whoever holds K picks the use's time: backdated, in time or late, it changes nothing.
              const redeemed = redeem(invitation, guests[0], { time: Math.max(0, until + guestOffset), hostTime: time })
              const admitted = redeemed.admission
              const log = [...base, invitation, ...redeemed.entries]
              const states = peerClocks.map((now) => {
                vi.setSystemTime(now)
                return fold(log)
              })
              for (const state of states) expect(state).toEqual(states[0])
              expect(states.map((state) => state.applied.includes(admitted.id))).toContain(time <= until)
              for (const state of states) {
                expect(roleOf(state, guests[0].publicKey)).toBe(time <= until ? 'editor' : undefined)
              }
            },
          ),
          { seed: 1202, numRuns: 40 },
        )
      },
      PROPERTY_TIMEOUT_MS,
    )
  })

  it(
    'admits exactly one guest with a single-use invitation under concurrent countersigned uses: the first in log order',
    () => {
      fc.assert(
        fc.property(
          redemptions,
          fc.array(fc.nat()),
          fc.array(fc.nat()),
          fc.boolean(),
          (steps, keys, otherKeys, byBob) => {
            const invitation = invite(bob)
            const { admissions: uses, entries } = usesOf(invitation, steps, byBob ? bob : alice)
            const log = [...base, invitation, ...entries]
            const state = sameEverywhere(log, keys)
            sameEverywhere(log, otherKeys)
            const winner = canonical(log).find((id) => uses.some((entry) => entry.id === id))
            expect(applied(state, uses).map((entry) => entry.id)).toEqual([winner])
            expect(state.invitations[0]?.usesLeft).toBe(0)
            for (const entry of uses) {
              if (!state.applied.includes(entry.id)) {
                expect(state.ignored).toContainEqual({ id: entry.id, reason: 'invitation-used' })
              }
            }
          },
        ),
        { seed: 1203, numRuns: 30 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'admits at most N guests with an N-use invitation (exactly N when more come)',
    () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 4 }), redemptions, fc.array(fc.nat()), (n, steps, keys) => {
          const invitation = invite(alice, { uses: n, role: 'viewer' })
          const { admissions: uses, entries } = usesOf(invitation, steps)
          const state = sameEverywhere([...base, invitation, ...entries], keys)
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
      fc.assert(
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
            const redeemed = steps.map(({ grind }, n) =>
              redeem(invitation, guests[n] ?? alice, {
                heads: afterRemoval[n] === true ? [removed.id] : baseHead,
                hostTime: T0 + 1000 + grind,
              }),
            )
            const uses = redeemed.map((each) => each.admission)
            const log = [...base, invitation, removed, write, ...redeemed.flatMap((each) => each.entries)]
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
    'ignores forged uses and invitations: a stranger’s key, a bad signature, an editor’s invitation, no descent',
    () => {
      fc.assert(
        fc.property(redemptions, fc.array(fc.nat()), (steps, keys) => {
          const invitation = invite(bob, { uses: steps.length })
          const { entries } = usesOf(invitation, steps)
          const honestLog = [...base, invitation, ...entries]
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
  it(
    'never admits anyone with K alone: uses at any time, countersigned by nobody or by members who may not admit the role',
    () => {
      const viewer = guests[4]
      const viewerMember = issueMember({
        actor: actor(alice),
        space,
        subject: viewer.publicKey,
        role: 'viewer',
        parents: baseHead,
        clock,
      })
      const editorInvitation = invite(bob, { parents: [viewerMember.id] })
      const adminInvitation = invite(alice, { key: linkKey(1), role: 'admin', parents: [viewerMember.id] })
      const editorOpen = { invitation: editorInvitation, key: linkKey(0) }
      const adminOpen = { invitation: adminInvitation, key: linkKey(1) }
      // Who countersigns: nobody, the editor, the viewer, the guest itself, an outsider (owners and admins admit
      // both roles: theirs are real admissions, not this property's).
      const signers = [undefined, carol, viewer, 'guest', outsider] as const
      const attempt = fc.record({
        which: fc.nat(1),
        guest: fc.nat(3),
        signer: fc.nat(signers.length - 1),
        time: fc.integer({ min: T0 - 7 * 24 * HOUR, max: T0 + 30 * 24 * HOUR }),
        seen: fc.array(fc.nat(20), { maxLength: 3 }),
      })
      fc.assert(
        fc.property(fc.array(attempt, { minLength: 1, maxLength: 6 }), fc.array(fc.nat()), (attempts, keys) => {
          const honest = [...base, viewerMember, editorInvitation, adminInvitation]
          const made: Credential[] = []
          for (const { which, guest, signer, time, seen } of attempts) {
            const { invitation, key } = which === 0 ? editorOpen : adminOpen
            const byWhom = signers[signer]
            const everything = [...honest, ...made]
            const heads = seen.flatMap((n) => (everything[n] === undefined ? [] : [everything[n].id]))
            const guestKey = guests[guest] ?? alice
            const bare = use(invitation, guestKey, { key, heads: [invitation.id, ...heads], time })
            made.push(bare)
            if (byWhom === undefined) continue
            const host = byWhom === 'guest' ? guestKey : byWhom
            made.push(
              issueCountersign({ actor: actor(host), space, use: bare, parents: heads, clock: new ManualClock(time) }),
            )
          }
          const state = sameEverywhere([...honest, ...made], keys)
          for (const guest of guests.slice(0, 4)) expect(roleOf(state, guest.publicKey)).toBeUndefined()
          expect(roleOf(state, viewer.publicKey)).toBe('viewer')
          expect(state.invitations.map((known) => known.usesLeft)).toEqual(state.invitations.map((known) => known.uses))
          expect(state.applied.filter((id) => made.some((entry) => entry.id === id))).toEqual([])
        }),
        { seed: 1207, numRuns: 40 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})
