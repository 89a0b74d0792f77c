import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential, CredentialId, KeyPair, PublicKey, SpaceRole } from '../../halo'
import { generateKeyPair, issueCredential, signingDevices } from '../../halo'
import { checkProperty, propertyTimeout } from '../../base/testing/properties'
import type { SpaceId } from '../ids'
import type { Actor } from './entries'
import { issueDeviceRevocation, issueGenesis, issueMember, issueRemoval } from './entries'
import type { MembershipState } from './fold'
import { foldMembership, roleOf } from './fold'
import { MembershipLog } from './log'
import { makeDeviceActor } from '../testing/device-actor'

const clock = new ManualClock(1_800_000_000_000)
const spaceKey = generateKeyPair()
const space = spaceKey.publicKey as string as SpaceId
const alice = generateKeyPair()
const [bob, carol, mallory] = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
const genesis = issueGenesis(spaceKey, alice.publicKey, clock)
const genesisHead = [genesis[1]?.id ?? ''] as CredentialId[]

/** A device of Alice's, authorized by her identity key: it signs as Alice with its chain. */
const aliceDevice = (): Actor => makeDeviceActor(alice, clock)
/** Alice with her recovery phrase: the identity key itself. */
const phrase: Actor = { identity: alice.publicKey, signer: { key: alice } }
const laptop = aliceDevice()
const phone = aliceDevice()
const deviceOf = (actor: Actor): PublicKey => actor.signer.key.publicKey
const actorOf = (key: KeyPair): Actor => ({ identity: key.publicKey, signer: { key } })

const member = (actor: Actor, subject: KeyPair, role: SpaceRole, parents: readonly CredentialId[]) =>
  issueMember({ actor, space, subject: subject.publicKey, role, parents, clock })
const removal = (actor: Actor, subject: KeyPair, parents: readonly CredentialId[]) =>
  issueRemoval({ actor, space, subject: subject.publicKey, parents, clock })
const revocation = (actor: Actor, device: Actor, parents: readonly CredentialId[]) =>
  issueDeviceRevocation({ actor, space, device: deviceOf(device), parents, clock })

const fold = (log: readonly unknown[]) => foldMembership(space, log)
const roles = (state: MembershipState) => state.members.map((each) => [each.key, each.role])
const reasonOf = (state: MembershipState, entry: Credential) =>
  state.applied.includes(entry.id) ? 'applied' : state.ignored.find((each) => each.id === entry.id)?.reason

// Property tests sign and verify many entries a case; a busy two-core machine needs more than 5 s.
const PROPERTY_TIMEOUT_MS = propertyTimeout()

describe('revoked devices in the membership log', () => {
  it("adds no owner through a revoked device's SpaceMember, made after or concurrent with the revocation", () => {
    const bobByPhone = member(phone, bob, 'editor', genesisHead)
    const revoked = revocation(phrase, phone, [bobByPhone.id])
    const after = member(phone, mallory, 'owner', [revoked.id])
    const backdated = member(phone, carol, 'owner', [bobByPhone.id])
    const state = fold([...genesis, bobByPhone, revoked, after, backdated])
    expect(roleOf(state, mallory.publicKey)).toBeUndefined()
    expect(roleOf(state, carol.publicKey)).toBeUndefined()
    // What the revoker had seen keeps its effect.
    expect(roleOf(state, bob.publicKey)).toBe('editor')
    expect([reasonOf(state, revoked), reasonOf(state, after), reasonOf(state, backdated)]).toEqual([
      'applied',
      'revoked-device',
      'revoked-device',
    ])
  })

  it("does not count a revoked device's revocations of later devices", () => {
    const thief = revocation(phone, laptop, genesisHead)
    const bobByLaptop = member(laptop, bob, 'editor', [thief.id])
    const lockedOut = fold([...genesis, thief, bobByLaptop])
    expect(roleOf(lockedOut, bob.publicKey)).toBeUndefined()
    const owner = revocation(phrase, phone, [bobByLaptop.id])
    const state = fold([...genesis, thief, bobByLaptop, owner])
    expect(roleOf(state, bob.publicKey)).toBe('editor')
    expect(reasonOf(state, thief)).toBe('revoked-device')
  })

  it('lets the phrase holder regain control of a space from a thief holding one device', () => {
    const bobByLaptop = member(laptop, bob, 'editor', genesisHead)
    // The thief, with the phone: revokes the laptop and makes Mallory an owner.
    const thiefRevokes = revocation(phone, laptop, [bobByLaptop.id])
    const malloryOwner = member(phone, mallory, 'owner', [thiefRevokes.id])
    // Alice, still on her laptop, admits Carol: void while the laptop is revoked.
    const carolByLaptop = member(laptop, carol, 'editor', [bobByLaptop.id])
    const stolen = fold([...genesis, bobByLaptop, thiefRevokes, malloryOwner, carolByLaptop])
    expect(roles(stolen)).toEqual(roles(fold([...genesis, bobByLaptop, thiefRevokes, malloryOwner])))
    expect(roleOf(stolen, carol.publicKey)).toBeUndefined()

    // Alice restores from the phrase and revokes the phone, having seen everything so far.
    const owner = revocation(phrase, phone, [malloryOwner.id, carolByLaptop.id])
    const removeMallory = removal(laptop, mallory, [owner.id])
    // The thief keeps signing with the phone: making Bob an owner, concurrent with the revocation.
    const thiefLater = member(phone, bob, 'owner', [malloryOwner.id])
    const log = [...genesis, bobByLaptop, thiefRevokes, malloryOwner, carolByLaptop, owner, removeMallory, thiefLater]
    const state = fold(log)
    expect(roleOf(state, alice.publicKey)).toBe('owner')
    expect(roleOf(state, bob.publicKey)).toBe('editor')
    expect(roleOf(state, carol.publicKey)).toBe('editor')
    expect(roleOf(state, mallory.publicKey)).toBeUndefined()
    expect([reasonOf(state, thiefRevokes), reasonOf(state, thiefLater)]).toEqual(['revoked-device', 'revoked-device'])
  })

  it('never brings back a member a device removed, even when a thief revokes that device from before', () => {
    // Mallory was admitted with the phrase, so only the laptop's removal keeps her out.
    const malloryByPhrase = member(phrase, mallory, 'editor', genesisHead)
    const removeMallory = removal(laptop, mallory, [malloryByPhrase.id])
    // The thief's phone revokes the laptop from the genesis on; the laptop answers: both are revoked.
    const thief = revocation(phone, laptop, genesisHead)
    const answer = revocation(laptop, phone, [removeMallory.id, thief.id])
    const log = [...genesis, malloryByPhrase, removeMallory, thief, answer]
    expect(roleOf(fold(log), mallory.publicKey)).toBeUndefined()
    expect(reasonOf(fold(log), removeMallory)).toBe('applied')
    // The identity key settles it either way; Mallory stays out.
    for (const decided of [revocation(phrase, phone, [answer.id]), revocation(phrase, laptop, [answer.id])]) {
      expect(roleOf(fold([...log, decided]), mallory.publicKey)).toBeUndefined()
    }
  })

  it("keeps a thief's removal: removal is the safe side, and the owner admits again after it", () => {
    const bobByLaptop = member(laptop, bob, 'editor', genesisHead)
    const thiefRemoves = removal(phone, bob, [bobByLaptop.id])
    const owner = revocation(phrase, phone, [bobByLaptop.id])
    const state = fold([...genesis, bobByLaptop, thiefRemoves, owner])
    expect(roleOf(state, bob.publicKey)).toBeUndefined()
    const again = member(laptop, bob, 'editor', [thiefRemoves.id, owner.id])
    expect(roleOf(fold([...genesis, bobByLaptop, thiefRemoves, owner, again]), bob.publicKey)).toBe('editor')
  })

  it('voids both of two devices that revoke each other, until the identity key decides', () => {
    const phoneRevokes = revocation(phone, laptop, genesisHead)
    const laptopRevokes = revocation(laptop, phone, genesisHead)
    const bobByLaptop = member(laptop, bob, 'editor', [phoneRevokes.id, laptopRevokes.id])
    const carolByPhone = member(phone, carol, 'editor', [phoneRevokes.id, laptopRevokes.id])
    const both = fold([...genesis, phoneRevokes, laptopRevokes, bobByLaptop, carolByPhone])
    expect(roles(both)).toEqual([[alice.publicKey, 'owner']])
    const decided = revocation(phrase, phone, [bobByLaptop.id, carolByPhone.id])
    const state = fold([...genesis, phoneRevokes, laptopRevokes, bobByLaptop, carolByPhone, decided])
    expect(roleOf(state, bob.publicKey)).toBe('editor')
    expect(roleOf(state, carol.publicKey)).toBeUndefined()
  })

  it("takes who is revoked, not a position, from a revocation without parents (HALO's own, copied)", () => {
    const bobByPhone = member(phone, bob, 'editor', genesisHead)
    const halo = revocation(phrase, phone, [])
    // Alone, it marks no position: none of the phone's entries count.
    expect(roleOf(fold([...genesis, bobByPhone, halo]), bob.publicKey)).toBeUndefined()
    // With a device's revocation that had seen Bob's admission, that admission stands; the phone's answer does not.
    const fromLaptop = revocation(laptop, phone, [bobByPhone.id])
    const answer = revocation(phone, laptop, [bobByPhone.id])
    const carolByLaptop = member(laptop, carol, 'editor', [fromLaptop.id, answer.id])
    const state = fold([...genesis, bobByPhone, halo, fromLaptop, answer, carolByLaptop])
    expect([roleOf(state, bob.publicKey), roleOf(state, carol.publicKey)]).toEqual(['editor', 'editor'])
    // Without the identity key's revocation the two devices cancel each other out.
    const mutual = fold([...genesis, bobByPhone, fromLaptop, answer, carolByLaptop])
    expect([roleOf(mutual, bob.publicKey), roleOf(mutual, carol.publicKey)]).toEqual(['editor', undefined])
  })

  it("ignores another identity's revocations of Alice's devices", () => {
    const forged = issueDeviceRevocation({
      actor: { identity: mallory.publicKey, signer: { key: mallory } },
      space,
      device: deviceOf(laptop),
      parents: genesisHead,
      clock,
    })
    // Honest devices do not build on it (a stranger's entry is no head), so the laptop writes from the genesis on.
    const bobByLaptop = member(laptop, bob, 'editor', genesisHead)
    const state = fold([...genesis, forged, bobByLaptop])
    expect(roleOf(state, bob.publicKey)).toBe('editor')
    expect(reasonOf(state, forged)).toBe('unauthorized')
  })

  it('resolves no revocations of an identity the log never names as a member: its entries are unauthorized', () => {
    // Mallory, never admitted, revokes her own device with her key; that device's revocation then does not count.
    const stranger = makeDeviceActor(mallory, clock)
    const device = stranger.signer.key
    const byKey = issueDeviceRevocation({
      actor: { identity: mallory.publicKey, signer: { key: mallory } },
      space,
      device: device.publicKey,
      parents: genesisHead,
      clock,
    })
    const byDevice = issueDeviceRevocation({
      actor: stranger,
      space,
      device: deviceOf(laptop),
      parents: genesisHead,
      clock,
    })
    const state = fold([...genesis, byKey, byDevice])
    expect([reasonOf(state, byKey), reasonOf(state, byDevice)]).toEqual(['unauthorized', 'unauthorized'])
  })

  it('keeps an entry that someone re-attached to a second chain running through a revoked device', () => {
    const bobByLaptop = member(laptop, bob, 'editor', genesisHead)
    // The phone also authorizes the laptop; the same entry with that chain has the same id.
    const viaPhone = (): Credential =>
      issueCredential({
        issuer: alice.publicKey,
        subject: deviceOf(laptop),
        assertion: { kind: 'AuthorizedDevice' },
        signer: phone.signer,
        clock,
      })
    let chain = viaPhone()
    // Make the fold's preferred copy the one through the phone, so the test shows the rule.
    while (chain.id > (laptop.signer.chain?.id ?? '')) {
      clock.advance(1)
      chain = viaPhone()
    }
    const reattached = { ...bobByLaptop, proof: { ...bobByLaptop.proof, chain } }
    const revoked = revocation(phrase, phone, genesisHead)
    const state = fold([...genesis, revoked, reattached, bobByLaptop])
    expect(roleOf(state, bob.publicKey)).toBe('editor')
    expect(roleOf(fold([...genesis, revoked, reattached]), bob.publicKey)).toBeUndefined()
  })

  it('keeps an entry whose chain someone re-attached further down, to a chain running through a revoked device', () => {
    // The tablet was linked by the laptop: its chain is the laptop's authorization of it, on the laptop's own chain.
    const tabletKey = generateKeyPair()
    const tabletChain = issueCredential({
      issuer: alice.publicKey,
      subject: tabletKey.publicKey,
      assertion: { kind: 'AuthorizedDevice' },
      signer: laptop.signer,
      clock,
    })
    const tablet: Actor = { identity: alice.publicKey, signer: { key: tabletKey, chain: tabletChain } }
    const bobByTablet = member(tablet, bob, 'editor', genesisHead)
    // The phone authorizes the laptop too, and that goes under the tablet's chain: the chain's id stays the same.
    const laptopByPhone = issueCredential({
      issuer: alice.publicKey,
      subject: deviceOf(laptop),
      assertion: { kind: 'AuthorizedDevice' },
      signer: phone.signer,
      clock,
    })
    const reattached = {
      ...bobByTablet,
      proof: { ...bobByTablet.proof, chain: { ...tabletChain, proof: { ...tabletChain.proof, chain: laptopByPhone } } },
    }
    const revoked = revocation(phrase, phone, genesisHead)
    expect(roleOf(fold([...genesis, revoked, reattached, bobByTablet]), bob.publicKey)).toBe('editor')
    expect(roleOf(fold([...genesis, revoked, reattached]), bob.publicKey)).toBeUndefined()
  })

  it("keeps honest entries that were built on a thief's entries before the revocation reached their device", () => {
    const thiefAdmits = member(phone, mallory, 'owner', genesisHead)
    // Bob, an owner, saw the thief's entry and wrote on top of it.
    const bobOwner = member(phrase, bob, 'owner', genesisHead)
    const carolByBob = member(actorOf(bob), carol, 'editor', [thiefAdmits.id, bobOwner.id])
    const revoked = revocation(phrase, phone, [bobOwner.id])
    const thiefLater = member(phone, mallory, 'owner', [revoked.id])
    const state = fold([...genesis, thiefAdmits, bobOwner, carolByBob, revoked, thiefLater])
    expect([reasonOf(state, thiefAdmits), reasonOf(state, thiefLater)]).toEqual(['revoked-device', 'revoked-device'])
    expect([roleOf(state, carol.publicKey), roleOf(state, mallory.publicKey)]).toEqual(['editor', undefined])
    // A revoked device's entry is no head: the next entry does not name it.
    expect(state.heads).toEqual([carolByBob.id, revoked.id].sort())
  })

  it('folds a revocation that arrives last into what was folded before, as a whole fold does', () => {
    const bobByLaptop = member(laptop, bob, 'editor', genesisHead)
    const carolByPhone = member(phone, carol, 'editor', genesisHead)
    // A revocation that sorts after every entry (so one arrival could be judged on top of the last pass).
    let revoked = revocation(phrase, phone, [bobByLaptop.id])
    while (revoked.id < carolByPhone.id || revoked.id < bobByLaptop.id) {
      clock.advance(1)
      revoked = revocation(phrase, phone, [bobByLaptop.id])
    }
    const log = new MembershipLog(space)
    log.add([...genesis, bobByLaptop, carolByPhone])
    expect(roleOf(log.state(), carol.publicKey)).toBe('editor')
    expect(log.preview(revoked)).toBeUndefined()
    log.add([revoked])
    expect(log.state()).toEqual(fold([...genesis, bobByLaptop, carolByPhone, revoked]))
    expect([roleOf(log.state(), bob.publicKey), roleOf(log.state(), carol.publicKey)]).toEqual(['editor', undefined])
  })
})

/** A random history of Alice's identity key, her two devices and Bob, with revocations among them. */
const signers: readonly Actor[] = [phrase, laptop, phone, { identity: bob.publicKey, signer: { key: bob } }]
const devices = [laptop, phone] as const
const step = fc.record({
  signer: fc.nat(signers.length - 1),
  kind: fc.constantFrom('member', 'removal', 'revocation'),
  subject: fc.nat(2),
  target: fc.nat(1),
  role: fc.constantFrom<SpaceRole>('owner', 'admin', 'editor'),
  parents: fc.uniqueArray(fc.nat(40), { minLength: 1, maxLength: 3 }),
})
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never

const history = (steps: readonly Step[]): Credential[] => {
  const people = [bob, carol, mallory] as const
  const log: Credential[] = [...genesis, member(phrase, bob, 'owner', genesisHead)]
  for (const { signer, kind, subject, target, role, parents } of steps) {
    const by = signers[signer] ?? phrase
    const ids = [...new Set(parents.map((index) => log[1 + (index % (log.length - 1))]?.id))].filter(
      (id): id is CredentialId => id !== undefined,
    )
    const who = people[subject] ?? bob
    if (kind === 'member') log.push(member(by, who, role, ids))
    else if (kind === 'removal') log.push(removal(by, who, ids))
    else if (by.identity === alice.publicKey) log.push(revocation(by, devices[target] ?? laptop, ids))
  }
  return log
}

const ancestorsOf = (log: readonly Credential[], entry: Credential): Set<string> => {
  const byId = new Map(log.map((each) => [each.id, each]))
  const seen = new Set<string>()
  const stack = [...entry.parents]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue
    seen.add(next)
    stack.push(...(byId.get(next)?.parents ?? []))
  }
  return seen
}

describe('revoked devices: properties', () => {
  const runs = { numRuns: 40 }

  it(
    'gives the same state whatever order the entries arrive in',
    () => {
      checkProperty(
        fc.property(fc.array(step, { maxLength: 10 }), fc.array(fc.nat()), (steps, keys) => {
          const log = history(steps)
          const shuffled = log.map((entry, index) => ({ entry, key: keys[index] ?? index }))
          shuffled.sort((a, b) => a.key - b.key)
          expect(fold(shuffled.map(({ entry }) => entry))).toEqual(fold(log))
        }),
        { ...runs, seed: 0x0dde4 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'lets no entry but a removal through a device the identity key revoked take effect unless the revocation had seen it',
    () => {
      checkProperty(
        fc.property(fc.array(step, { maxLength: 10 }), fc.nat(1), fc.nat(40), (steps, target, at) => {
          const log = history(steps)
          const device = devices[target] ?? laptop
          const revoked = revocation(phrase, device, [
            log[1 + (at % (log.length - 1))]?.id ?? genesisHead[0] ?? ('' as CredentialId),
          ])
          const state = fold([...log, revoked])
          const seen = ancestorsOf(log, revoked)
          // Removals excepted: no revocation brings a removed member back.
          const through = log.filter(
            (entry) => signingDevices(entry).includes(deviceOf(device)) && entry.assertion.kind !== 'MemberRemoved',
          )
          for (const entry of through) if (!seen.has(entry.id)) expect(state.applied).not.toContain(entry.id)
        }),
        { ...runs, seed: 0x9e41d },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})
