import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential, CredentialId, KeyPair, PublicKey, SpaceRole } from '../../halo'
import { fixedKeyPair } from '../../halo/testing'
import { checkProperty, propertyTimeout } from '../../base/testing/properties'
import type { SpaceId } from '../ids'
import type { Actor } from './entries'
import { issueEpoch, issueGenesis, issueMember, issueRemoval } from './entries'
import type { MembershipState } from './fold'
import { foldMembership, roleOf } from './fold'
import { Reach } from './reach'
import { standingOf } from './seniority'

const clock = new ManualClock(1_800_000_000_000)
const spaceKey = fixedKeyPair(1)
const space = spaceKey.publicKey as string as SpaceId
// Fixed keys: ids and their order depend on them, so a failing property replays from its seed.
const people = [fixedKeyPair(2), fixedKeyPair(3), fixedKeyPair(4), fixedKeyPair(5)] as const
const [alice, bob, carol] = people
const actor = (pair: KeyPair): Actor => ({ identity: pair.publicKey, signer: { key: pair } })
const genesis = issueGenesis(spaceKey, alice.publicKey, clock)
const genesisHead = [genesis[1]?.id ?? ''] as CredentialId[]

const fold = (log: readonly unknown[]) => foldMembership(space, log)
/** What a permutation or junk must not change. */
const essence = (state: MembershipState) => ({ members: state.members, epoch: state.epoch, applied: state.applied })

const member = (by: KeyPair, subject: KeyPair, role: SpaceRole, parents: readonly CredentialId[] = genesisHead) =>
  issueMember({ actor: actor(by), space, subject: subject.publicKey, role, parents, clock })
const removal = (by: KeyPair, subject: KeyPair, parents: readonly CredentialId[]) =>
  issueRemoval({ actor: actor(by), space, subject: subject.publicKey, parents, clock })

// Property tests run many cases; on a busy two-core machine they need more than the default 5 s.
const PROPERTY_TIMEOUT_MS = propertyTimeout()
/**
 * Shrinking a counterexample can take most of a minute under load (seed 18 below: 37 s); stopped before it, a
 * failure still prints its seed and path instead of only "timed out". Stopped before `numRuns` without one, it fails.
 */
const reported = { plugins: [fc.interruptAfterTimeLimit(45_000, { failOnInterrupt: true })] }

describe('membership fold rules', () => {
  it('makes the genesis owner the owner', () => {
    const state = fold(genesis)
    expect(state.members).toEqual([{ key: alice.publicKey, role: 'owner' }])
    expect(state.heads).toEqual(genesisHead)
  })

  it('lets an admin admit editors but not admins, and editors admit nobody', () => {
    const bobAdmin = member(alice, bob, 'admin')
    const carolEditor = member(bob, carol, 'editor', [bobAdmin.id])
    const carolAdmin = member(bob, carol, 'admin', [carolEditor.id])
    const byEditor = member(carol, people[3], 'viewer', [carolEditor.id])
    const state = fold([...genesis, bobAdmin, carolEditor, carolAdmin, byEditor])
    expect(roleOf(state, carol.publicKey)).toBe('editor')
    expect(roleOf(state, people[3].publicKey)).toBeUndefined()
    expect(state.ignored.map((entry) => entry.reason).sort()).toEqual(['unauthorized', 'unauthorized'])
  })

  it('lets a removal win over a concurrent grant, in either order, and allows re-admission after it', () => {
    const bobEditor = member(alice, bob, 'editor')
    const remove = removal(alice, bob, [bobEditor.id])
    const concurrentGrant = member(alice, bob, 'admin', [bobEditor.id])
    expect(roleOf(fold([...genesis, bobEditor, remove, concurrentGrant]), bob.publicKey)).toBeUndefined()
    // Built on the grant that lost the race: the grant changed nothing, what follows it stands.
    const readmit = member(alice, bob, 'viewer', [remove.id, concurrentGrant.id])
    expect(roleOf(fold([...genesis, bobEditor, remove, concurrentGrant, readmit]), bob.publicKey)).toBe('viewer')
  })

  it('keeps what was built on a removal that a concurrent leave made redundant', () => {
    const carolEditor = member(alice, carol, 'editor')
    const leaves = removal(carol, carol, [carolEditor.id])
    const removes = removal(alice, carol, [carolEditor.id])
    const next = member(alice, bob, 'viewer', [removes.id])
    for (const log of [
      [...genesis, carolEditor, leaves, removes, next],
      [...genesis, carolEditor, removes, leaves, next],
    ]) {
      const state = fold(log)
      expect(roleOf(state, carol.publicKey)).toBeUndefined()
      expect(roleOf(state, bob.publicKey)).toBe('viewer')
    }
  })

  it('keeps the last owner, lets members leave, and takes only the next epoch', () => {
    const bobViewer = member(alice, bob, 'viewer')
    const leave = removal(bob, bob, [bobViewer.id])
    const aliceLeaves = removal(alice, alice, [leave.id])
    const epoch = (number: number, parents: readonly CredentialId[]) =>
      issueEpoch({ actor: actor(alice), space, number, snapshot: `s${number}`, parents, clock })
    // Number 2 with no epoch yet skips 1; after 1, number 3 skips 2 and another 1 repeats it.
    const two = epoch(2, [leave.id])
    const one = epoch(1, [two.id])
    const three = epoch(3, [one.id])
    const again = epoch(1, [three.id])
    const state = fold([...genesis, bobViewer, leave, aliceLeaves, two, one, three, again])
    expect(state.members).toEqual([{ key: alice.publicKey, role: 'owner' }])
    expect(state.epoch?.number).toBe(1)
    expect(state.epoch?.credential).toBe(one.id)
    expect(Object.fromEntries(state.ignored.map((entry) => [entry.id, entry.reason]))).toEqual({
      [aliceLeaves.id]: 'last-owner',
      [two.id]: 'stale-epoch',
      [three.id]: 'stale-epoch',
      [again.id]: 'stale-epoch',
    })
  })
})

/** A random history: each step someone issues a grant or removal on top of some earlier entries. */
const step = fc.record({
  issuer: fc.nat(3),
  subject: fc.nat(3),
  role: fc.constantFrom<SpaceRole>('owner', 'admin', 'editor', 'viewer'),
  remove: fc.boolean(),
  parents: fc.uniqueArray(fc.nat(40), { minLength: 1, maxLength: 3 }),
})

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never

const history = (steps: readonly Step[]): Credential[] => {
  const log: Credential[] = [...genesis]
  for (const { issuer, subject, role, remove, parents } of steps) {
    const by = people[issuer] ?? alice
    const who = people[subject] ?? alice
    const links = [...new Set(parents.map((index) => log[1 + (index % (log.length - 1))]?.id ?? genesisHead[0]))]
    const ids = links.filter((id): id is CredentialId => id !== undefined)
    log.push(remove ? removal(by, who, ids) : member(by, who, role, ids))
  }
  return log
}

/** Tampered copies: a changed role or subject under the old signature, or a signature from the wrong key. */
const forgeries = (log: readonly Credential[], outsider: KeyPair): unknown[] =>
  log.flatMap((entry) => [
    { ...entry, subject: outsider.publicKey },
    { ...entry, proof: { ...entry.proof, signer: outsider.publicKey } },
    { ...entry, assertion: { ...entry.assertion, role: 'owner' } },
    { id: entry.id, junk: true },
  ])

describe('membership fold properties', () => {
  const runs = { numRuns: 40, ...reported }

  it(
    'gives the same state for every permutation and duplication of a set',
    () => {
      checkProperty(
        fc.property(fc.array(step, { maxLength: 10 }), fc.array(fc.nat()), (steps, keys) => {
          const log = history(steps)
          const shuffled = [...log, ...log.slice(0, 3)].map((entry, index) => ({ entry, key: keys[index] ?? index }))
          shuffled.sort((a, b) => a.key - b.key)
          expect(fold(shuffled.map(({ entry }) => entry))).toEqual(fold(log))
        }),
        { ...runs, seed: 1301 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'never lets forged entries, or entries by outsiders, change the members',
    () => {
      const outsider = fixedKeyPair(9)
      const outsiderKey: PublicKey = outsider.publicKey
      checkProperty(
        fc.property(fc.array(step, { maxLength: 10 }), (steps) => {
          const log = history(steps)
          const honest = fold(log)
          const heads = [...honest.heads]
          const byOutsider = [
            member(outsider, outsider, 'owner', heads),
            removal(outsider, alice, heads),
            issueEpoch({ actor: actor(outsider), space, number: 9, snapshot: 'x', parents: heads, clock }),
          ]
          const attacked = fold([...forgeries(log, outsider), ...log, ...byOutsider])
          expect(essence(attacked)).toEqual(essence(honest))
          expect(roleOf(attacked, outsiderKey)).toBeUndefined()
        }),
        { ...runs, seed: 1302 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})

/** The ancestors of every entry of a log, by id. */
const ancestry = (log: readonly Credential[]): Map<string, Set<string>> => {
  const byId = new Map(log.map((entry) => [entry.id as string, entry]))
  const memo = new Map<string, Set<string>>()
  const of = (id: string): Set<string> => {
    const known = memo.get(id)
    if (known !== undefined) return known
    const set = new Set<string>()
    for (const parent of byId.get(id)?.parents ?? []) {
      set.add(parent)
      for (const above of of(parent)) set.add(above)
    }
    memo.set(id, set)
    return set
  }
  for (const entry of log) of(entry.id)
  return memo
}

/** A history where bob is a co-owner, carol an admin and dave an editor before anything random happens. */
const withPowers = (steps: readonly Step[]): Credential[] => {
  const bobOwner = member(alice, bob, 'owner')
  const carolAdmin = member(alice, carol, 'admin', [bobOwner.id])
  const daveEditor = member(alice, people[3], 'editor', [carolAdmin.id])
  const log: Credential[] = [...genesis, bobOwner, carolAdmin, daveEditor]
  for (const { issuer, subject, role, remove, parents } of steps) {
    const by = people[issuer] ?? alice
    const who = people[subject] ?? alice
    const ids = [...new Set(parents.map((index) => log[1 + (index % (log.length - 1))]?.id))].filter(
      (id): id is CredentialId => id !== undefined,
    )
    log.push(remove ? removal(by, who, ids) : member(by, who, role, ids))
  }
  return log
}

/**
 * Applied removals by another member. Leaves cascade too, but a second leave backdated before X's own entries voids
 * them (a known limit, CONTEXT.md), so leaves have their own tests (cascade.test.ts).
 */
const removalsApplied = (log: readonly Credential[], state: MembershipState) =>
  log.filter(
    (entry) =>
      entry.assertion.kind === 'MemberRemoved' && entry.issuer !== entry.subject && state.applied.includes(entry.id),
  )

describe('removed members cannot backdate', () => {
  const runs = { numRuns: 60, ...reported }

  it(
    'never applies an entry by X concurrent with an applied removal of X, over random DAGs',
    () => {
      checkProperty(
        fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
          const log = withPowers(steps)
          const state = fold(log)
          const above = ancestry(log)
          for (const removal of removalsApplied(log, state)) {
            for (const entry of log) {
              if (entry.issuer !== removal.subject || entry.id === removal.id) continue
              const concurrent = !above.get(removal.id)?.has(entry.id) && !above.get(entry.id)?.has(removal.id)
              if (concurrent) expect(state.applied).not.toContain(entry.id)
            }
          }
        }),
        { ...runs, seed: 1303 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  const backdated = () =>
    fc.property(fc.array(step, { maxLength: 10 }), fc.nat(), step, fc.nat(1000), (steps, pick, move, grind) => {
      const log = withPowers(steps)
      const honest = fold(log)
      const removals = removalsApplied(log, honest)
      const removal = removals[pick % Math.max(1, removals.length)]
      if (removal === undefined) return
      const above = ancestry(log)
      // Parents anywhere except on or after the removal: the entry is concurrent with it.
      const before = log.filter(
        (entry) => entry.id !== removal.id && !above.get(entry.id)?.has(removal.id) && entry !== genesis[0],
      )
      const parents = [
        ...new Set(move.parents.map((index) => before[index % before.length]?.id ?? genesisHead[0])),
      ].filter((id): id is CredentialId => id !== undefined)
      const who = people[move.subject] ?? alice
      const x = people.find((pair) => pair.publicKey === removal.subject) ?? alice
      // Another issuedAt gives another id, so the entry sorts elsewhere among its peers.
      const at = new ManualClock(clock.now() + grind)
      const entry = move.remove
        ? issueRemoval({ actor: actor(x), space, subject: who.publicKey, parents, clock: at })
        : issueMember({ actor: actor(x), space, subject: who.publicKey, role: move.role, parents, clock: at })
      // The same content as an entry already there is that entry, not a new one.
      if (log.some((known) => known.id === entry.id)) return
      const attacked = fold([...log, entry])
      const all = [...log, entry]
      const origin = all.find((known) => known.assertion.kind === 'SpaceGenesis')
      const standing = standingOf(all, origin, new Set(), new Reach(all), () => undefined)
      const answers = move.remove || move.role !== 'owner'
      // The entries of `who` that the removal is or rests on, and that X's entry has not seen.
      const seen = new Set(parents.flatMap((id) => [id, ...(above.get(id) ?? [])]))
      const restsOn = [removal.id, ...(above.get(removal.id) ?? [])].some(
        (id) => !seen.has(id) && log.find((known) => known.id === id)?.issuer === who.publicKey,
      )
      const senior = (a: PublicKey, b: PublicKey) => standing.compare(a, b) < 0
      if (answers && restsOn && senior(x.publicKey, who.publicKey) && senior(x.publicKey, removal.issuer)) {
        // A mutual removal (or a removal answered by a demotion) goes to the senior member (cascade.ts), and what
        // was built on the junior's entries goes with them (rule 6): also a removal of X by a third member junior to
        // X that rests on them (X demoted by the junior, then removed by an admin: seed 18, pinned below).
        if (attacked.applied.includes(entry.id)) expect(attacked.applied).not.toContain(removal.id)
        else expect(essence(attacked)).toEqual(essence(honest))
        return
      }
      expect(attacked.applied).not.toContain(entry.id)
      expect(essence(attacked)).toEqual(essence(honest))
    })

  it(
    'lets no entry by X concurrent with X’s removal change the state, whatever its parents, kind and id',
    () => checkProperty(backdated(), { ...runs, seed: 1304 }),
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'lets X’s removal of a third member concurrent with X’s removal not outlive it (a counterexample, pinned)',
    () =>
      fc.assert(backdated(), {
        seed: -2091275868,
        path: '15:4:3:3:3:3:7:7:7:7:7:11:11:11:11:11:15:15:14:15:14:15:14:15:20:20:20:24:28:28:30:1:18:15:17:20:4:4:13:19:19',
        endOnFailure: true,
        ...reported,
      }),
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'lets no removal by X, concurrent with its own, void a leave and then void its remover (a CI counterexample, pinned)',
    () => fc.assert(backdated(), { seed: 1148711980, numRuns: 30, ...reported }),
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'lets X answer a junior whose demotion of X a third member’s removal of X rests on (a counterexample, pinned)',
    () => fc.assert(backdated(), { seed: 18, numRuns: 10, ...reported }),
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'keeps an exclusion only while a removal concurrent with the excluded entry applies (a counterexample, pinned)',
    () => fc.assert(backdated(), { seed: 249, numRuns: 50, ...reported }),
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'lets X removed by a junior remove no senior member by backdating (two counterexamples, pinned)',
    () => {
      fc.assert(backdated(), { seed: 221, numRuns: 50, ...reported })
      fc.assert(backdated(), { seed: 254, numRuns: 50, ...reported })
    },
    PROPERTY_TIMEOUT_MS,
  )

  it('does not bring back the entries a removal voided when the answer that excluded it stops applying', () => {
    // Seed 249, shrunk: bob removes alice; alice answers on top of carol's leave, and alice's removal of carol,
    // concurrent with that leave, would void it. Alice wins the mutual pair; her removal of carol changes nothing.
    const bobOwner = member(alice, bob, 'owner')
    const carolAdmin = member(alice, carol, 'admin', [bobOwner.id])
    const daveEditor = member(alice, people[3], 'editor', [carolAdmin.id])
    const leave = removal(carol, carol, [carolAdmin.id, ...genesisHead])
    const removeAlice = removal(bob, alice, [bobOwner.id])
    const removeCarol = removal(alice, carol, [carolAdmin.id, bobOwner.id])
    const answer = removal(alice, bob, [leave.id])
    const state = fold([...genesis, bobOwner, carolAdmin, daveEditor, leave, removeAlice, removeCarol, answer])
    expect(state.members).toEqual(
      [
        { key: alice.publicKey, role: 'owner' },
        { key: people[3].publicKey, role: 'editor' },
      ].sort((a, b) => (a.key < b.key ? -1 : 1)),
    )
    expect(state.applied).toContain(answer.id)
    expect(Object.fromEntries(state.ignored.map((entry) => [entry.id, entry.reason]))).toEqual({
      [removeAlice.id]: 'issuer-removed',
      [removeCarol.id]: 'not-a-member',
    })
  })

  it('lets a member removed by a junior not void that removal by backdating a removal of a senior', () => {
    // Seed 221, shrunk: carol (made owner by alice) removes bob; bob, senior to carol but junior to alice, signs a
    // removal of alice naming only entries before carol's powers. Tried first (bob is senior to carol), it voided
    // alice's grants to carol and so carol's removal of bob, and removed the genesis owner.
    const bobOwner = member(alice, bob, 'owner')
    const carolAdmin = member(alice, carol, 'admin', [bobOwner.id])
    const daveEditor = member(alice, people[3], 'editor', [carolAdmin.id])
    const carolOwner = member(alice, carol, 'owner', [bobOwner.id])
    const removeBob = removal(carol, bob, [carolOwner.id, carolAdmin.id])
    const log = [...genesis, bobOwner, carolAdmin, daveEditor, carolOwner, removeBob]
    const backdated = removal(bob, alice, [bobOwner.id, ...genesisHead])
    const state = fold([...log, backdated])
    expect(essence(state)).toEqual(essence(fold(log)))
    expect(roleOf(state, alice.publicKey)).toBe('owner')
    expect(roleOf(state, bob.publicKey)).toBeUndefined()
    expect(state.ignored).toEqual([{ id: backdated.id, reason: 'issuer-removed' }])
  })

  it('voids a removal of the senior X that rests on a junior’s demotion of X, when X answered the junior concurrently', () => {
    // Seed 18 of the backdating property, shrunk: bob demotes alice, carol (an admin) removes the editor she became,
    // and alice removed bob concurrently. Alice wins the mutual pair, so carol's removal is built on a void entry.
    const bobOwner = member(alice, bob, 'owner')
    const carolAdmin = member(alice, carol, 'admin', [bobOwner.id])
    const demote = member(bob, alice, 'editor', [carolAdmin.id])
    const carolRemoves = removal(carol, alice, [demote.id])
    const answer = removal(alice, bob, [bobOwner.id])
    const log = [...genesis, bobOwner, carolAdmin, demote, carolRemoves]
    expect(roleOf(fold(log), alice.publicKey)).toBeUndefined()
    const state = fold([...log, answer])
    expect(state.members).toEqual(
      [
        { key: alice.publicKey, role: 'owner' },
        { key: carol.publicKey, role: 'admin' },
      ].sort((a, b) => (a.key < b.key ? -1 : 1)),
    )
    expect(Object.fromEntries(state.ignored.map((entry) => [entry.id, entry.reason]))).toEqual({
      [demote.id]: 'issuer-removed',
      [carolRemoves.id]: 'after-ignored',
    })
  })

  it('voids X’s removal of a third member concurrent with a junior’s removal of X, though X is senior', () => {
    // Seed -2091275868 of the backdating property, shrunk: bob removes alice; alice, concurrently, removes carol, who
    // had signed an unauthorized grant. Alice's removal, tried first by seniority, kept carol's grant excluded, and
    // bob's removal (voiding alice's) was then refused for leaving that exclusion without its removal of carol.
    const bobOwner = member(alice, bob, 'owner')
    const carolAdmin = member(alice, carol, 'admin', [bobOwner.id])
    const daveEditor = member(alice, people[3], 'editor', [carolAdmin.id])
    const again = member(alice, alice, 'owner')
    const refused = member(carol, alice, 'owner')
    const removeAlice = removal(bob, alice, [carolAdmin.id, ...genesisHead])
    const log = [...genesis, bobOwner, carolAdmin, daveEditor, again, refused, removeAlice]
    const honest = fold(log)
    expect(roleOf(honest, alice.publicKey)).toBeUndefined()
    const backdated = removal(alice, carol, [carolAdmin.id])
    const state = fold([...log, backdated])
    expect(essence(state)).toEqual(essence(honest))
    expect(roleOf(state, carol.publicKey)).toBe('admin')
    expect(state.ignored).toContainEqual({ id: backdated.id, reason: 'issuer-removed' })
  })

  it('keeps a removal of X by a member senior to X, though it rests on an entry of a junior X answered', () => {
    const bobOwner = member(alice, bob, 'owner')
    const carolOwner = member(alice, carol, 'owner', [bobOwner.id])
    const daveEditor = member(carol, people[3], 'editor', [carolOwner.id])
    const removeBob = removal(alice, bob, [daveEditor.id])
    // Bob, senior to carol, removes her concurrently with the admission alice's removal of him rests on.
    const answer = removal(bob, carol, [carolOwner.id])
    const state = fold([...genesis, bobOwner, carolOwner, daveEditor, removeBob, answer])
    expect(roleOf(state, bob.publicKey)).toBeUndefined()
    expect(roleOf(state, carol.publicKey)).toBe('owner')
    expect(roleOf(state, people[3].publicKey)).toBe('editor')
    expect(state.ignored).toEqual([{ id: answer.id, reason: 'issuer-removed' }])
  })

  const dave = people[3]
  const puppetScenario = (grind: number) => {
    // Mallory (here bob) is a co-owner; alice removes her.
    const mallory = bob
    const puppet = dave
    const malloryOwner = member(alice, mallory, 'owner')
    const other = member(alice, carol, 'editor', [malloryOwner.id])
    const removeMallory = removal(alice, mallory, [other.id])
    // Backdated: the puppet's admission names an entry from before the removal.
    const at = new ManualClock(clock.now() + grind)
    const puppetOwner = issueMember({
      actor: actor(mallory),
      space,
      subject: puppet.publicKey,
      role: 'owner',
      parents: [malloryOwner.id],
      clock: at,
    })
    const readmit = member(puppet, mallory, 'owner', [puppetOwner.id, removeMallory.id])
    const removeAlice = removal(puppet, alice, [readmit.id])
    // And Mallory removing alice herself, backdated the same way.
    const direct = issueRemoval({
      actor: actor(mallory),
      space,
      subject: alice.publicKey,
      parents: [other.id],
      clock: at,
    })
    return {
      log: [...genesis, malloryOwner, other, removeMallory, puppetOwner, readmit, removeAlice, direct],
      mallory,
      puppet,
    }
  }

  it('does not take a senior re-granting the remover the top role, concurrent with its removal, as an answer to it', () => {
    // Found by the backdating property in a CI run: the re-grant sorted before bob's first grant, so the removal
    // looked unauthorized, and the cascade then counted the re-grant as alice answering bob.
    const bobOwner = member(alice, bob, 'owner')
    const removeAlice = removal(bob, alice, [bobOwner.id])
    for (const grind of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]) {
      const regrant = issueMember({
        actor: actor(alice),
        space,
        subject: bob.publicKey,
        role: 'owner',
        parents: genesisHead,
        clock: new ManualClock(clock.now() + grind),
      })
      const state = fold([...genesis, bobOwner, removeAlice, regrant])
      expect(roleOf(state, alice.publicKey)).toBeUndefined()
      expect(roleOf(state, bob.publicKey)).toBe('owner')
      expect(state.applied).not.toContain(regrant.id)
    }
  })

  it('ignores the puppet a removed co-owner admitted with backdated parents, and all it did', () => {
    for (const grind of [0, 1, 2, 3, 5, 8, 13, 21]) {
      const { log, mallory, puppet } = puppetScenario(grind)
      const state = fold(log)
      expect(roleOf(state, alice.publicKey)).toBe('owner')
      expect(roleOf(state, mallory.publicKey)).toBeUndefined()
      expect(roleOf(state, puppet.publicKey)).toBeUndefined()
      expect(roleOf(state, carol.publicKey)).toBe('editor')
    }
  })
})
