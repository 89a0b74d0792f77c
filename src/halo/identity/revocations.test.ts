import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Credential, CredentialId } from '../credentials/credential'
import type { Signer } from '../credentials/issue'
import { issueCredential } from '../credentials/issue'
import { VerifiedCache } from '../credentials/verified-cache'
import type { DeviceKey, IdentityKey, KeyPair, PublicKey } from '../keys/keys'
import { generateKeyPair } from '../keys/keys'
import { resolveRevocations, signingDevices } from './revocations'
import { trustedSet } from './trust'

const clock = new ManualClock(1_800_000_000_000)
const identity = generateKeyPair<IdentityKey>()
const me = identity.publicKey

interface Device {
  readonly key: KeyPair<DeviceKey>
  readonly chain: Credential
}

/** A device authorized by the identity key, or linked by another device (its chain runs through that one). */
const device = (linkedBy?: Device): Device => {
  const key = generateKeyPair<DeviceKey>()
  const chain = issueCredential({
    issuer: me,
    subject: key.publicKey,
    assertion: { kind: 'AuthorizedDevice' },
    signer: linkedBy === undefined ? { key: identity } : signerOf(linkedBy),
    clock,
  })
  return { key, chain }
}
const signerOf = (by: Device): Signer => ({ key: by.key, chain: by.chain })
const revoke = (by: Device | 'identity', target: Device): Credential =>
  issueCredential({
    issuer: me,
    subject: target.key.publicKey,
    assertion: { kind: 'DeviceRevoked' },
    signer: by === 'identity' ? { key: identity } : signerOf(by),
    clock,
  })

const keyOf = (each: Device) => each.key.publicKey
// Signatures are checked once; the rule, not noble, is under test here.
const cache = new VerifiedCache()
const trusted = (credentials: readonly Credential[]) => trustedSet(me, credentials, clock, cache)
const revokedBy = (credentials: readonly Credential[]) => [...trusted(credentials).revoked].sort()
const sorted = (devices: readonly Device[]) => devices.map(keyOf).sort()

// Property tests sign and verify dozens of credentials a case; a busy two-core machine needs more than 5 s.
const PROPERTY_TIMEOUT_MS = 60_000

describe('revocation rule (HALO)', () => {
  const first = device()
  const later = device()
  const chains = [first.chain, later.chain]

  it("does not count a revoked device's revocations of later devices", () => {
    // The stolen first device revokes the later one; the owner, with the phrase, revokes the stolen one.
    const log = [...chains, revoke(first, later), revoke('identity', first)]
    expect(revokedBy(log)).toEqual(sorted([first]))
    const accepted = trusted(log).accepted.map((credential) => credential.id)
    expect(accepted).toContain(later.chain.id)
  })

  it('revokes both of two devices that revoke each other, until the identity key revokes one', () => {
    const mutual = [...chains, revoke(first, later), revoke(later, first)]
    expect(revokedBy(mutual)).toEqual(sorted([first, later]))
    expect(revokedBy([...mutual, revoke('identity', first)])).toEqual(sorted([first]))
    expect(revokedBy([...mutual, revoke('identity', later)])).toEqual(sorted([later]))
    // A third device that stands settles it as well.
    const third = device()
    expect(revokedBy([...mutual, third.chain, revoke(third, first)])).toEqual(sorted([first]))
  })

  it('lets a device revoke itself, and a device linked by a revoked device fall with it', () => {
    const linked = device(first)
    expect(revokedBy([...chains, linked.chain, revoke(first, first)])).toEqual(sorted([first]))
    // The linked device's authorization runs through the revoked one, so it is no longer accepted.
    const accepted = trusted([...chains, linked.chain, revoke('identity', first)]).accepted
    expect(accepted.map((credential) => credential.id)).not.toContain(linked.chain.id)
    // And its revocations, made through the revoked device, stop counting too.
    expect(revokedBy([...chains, linked.chain, revoke(linked, later), revoke('identity', first)])).toEqual(
      sorted([first]),
    )
  })

  it('keeps revocations that do not count, since revoking their revoker could change that', () => {
    const third = device()
    // first revokes later (counts); later had revoked third (does not count while later is revoked).
    const log = [...chains, third.chain, revoke(first, later), revoke(later, third)]
    expect(revokedBy(log)).toEqual(sorted([later]))
    const kept = trusted(log).accepted
    expect(revokedBy([...kept, revoke('identity', first)])).toEqual(sorted([first, third]))
  })

  it('keeps no revocation signed through a device the identity key revoked: it can never count again', () => {
    const linked = device(first)
    const byFirst = revoke(first, later)
    const byLinked = revoke(linked, later)
    const byLater = revoke(later, first)
    const log = [...chains, linked.chain, byFirst, byLinked, byLater, revoke('identity', first)]
    const kept = trusted(log).accepted.map((credential) => credential.id)
    expect(kept).not.toContain(byFirst.id)
    expect(kept).not.toContain(byLinked.id)
    expect(kept).toContain(byLater.id)
    // Revoked by a device only, its revocations are kept: revoking its revoker would make them count again.
    const third = device()
    const byThird = revoke(third, later)
    const keptThird = trusted([...chains, third.chain, byThird, revoke(later, third)]).accepted
    expect(keptThird.map((credential) => credential.id)).toContain(byThird.id)
  })

  it('keeps no revocation of a key that is not a device of this identity', () => {
    const stranger = { key: generateKeyPair<DeviceKey>(), chain: later.chain }
    const ofStranger = revoke(first, stranger)
    const ofIdentity = issueCredential({
      issuer: me,
      subject: me,
      assertion: { kind: 'DeviceRevoked' },
      signer: signerOf(first),
      clock,
    })
    const kept = trusted([...chains, ofStranger, ofIdentity]).accepted.map((credential) => credential.id)
    expect(kept).toEqual(chains.map((chain) => chain.id))
  })

  it('names the devices a credential was signed through', () => {
    const linked = device(first)
    expect(signingDevices(revoke('identity', first))).toEqual([])
    expect(signingDevices(revoke(linked, later))).toEqual([keyOf(linked), keyOf(first)])
  })

  it('never lets the identity be revoked as a device', () => {
    const self = issueCredential({
      issuer: me,
      subject: me,
      assertion: { kind: 'DeviceRevoked' },
      signer: signerOf(first),
      clock,
    })
    expect(resolveRevocations(me, [self]).revoked.size).toBe(0)
  })
})

describe('revocation rule properties', () => {
  // Five devices: three authorized by the identity key; `linked` by devices[0], `deep` by `linked`.
  const roots = [device(), device(), device()] as const
  const linked = device(roots[0])
  const deep = device(linked)
  const devices: readonly Device[] = [...roots, linked, deep]
  const signers: readonly (Device | 'identity')[] = ['identity', ...devices]
  // Every possible revocation, signed once: a case picks a subset.
  const all = signers.flatMap((by) => devices.map((target) => ({ by, target, credential: revoke(by, target) })))
  const chainsOf = devices.map((each) => each.chain)
  const through = (credential: Credential, thief: Device) => signingDevices(credential).includes(keyOf(thief))
  const pick = fc.subarray(all)

  it(
    'gives the same result whatever order the credentials arrive in',
    () => {
      fc.assert(
        fc.property(
          pick.chain((chosen) =>
            fc.tuple(
              fc.constant(chosen),
              fc.shuffledSubarray([...chainsOf, ...chosen.map((each) => each.credential)], {
                minLength: chainsOf.length + chosen.length,
              }),
            ),
          ),
          ([chosen, shuffled]) => {
            const inOrder = trusted([...chainsOf, ...chosen.map((each) => each.credential)])
            const shuffledSet = trusted(shuffled)
            expect([...shuffledSet.revoked].sort()).toEqual([...inOrder.revoked].sort())
            const ids = (credentials: readonly Credential[]) => credentials.map((credential) => credential.id).sort()
            expect(ids(shuffledSet.accepted)).toEqual(ids(inOrder.accepted))
          },
        ),
        { seed: 0x5e71ce, numRuns: 200 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'always counts the identity key: every device it revokes is revoked',
    () => {
      fc.assert(
        fc.property(pick, (chosen) => {
          const revoked = trusted([...chainsOf, ...chosen.map((each) => each.credential)]).revoked
          for (const { by, target } of chosen) if (by === 'identity') expect(revoked.has(keyOf(target))).toBe(true)
        }),
        { seed: 0x1de471, numRuns: 200 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'undoes everything a thief did once the phrase holder revokes the stolen device',
    () => {
      fc.assert(
        fc.property(pick, fc.constantFrom(...devices), (chosen, thief) => {
          const owner = revoke('identity', thief)
          const credentials = chosen.map((each) => each.credential)
          const withThief = revokedBy([...chainsOf, ...credentials, owner])
          const withoutThief = revokedBy([...chainsOf, ...credentials.filter((each) => !through(each, thief)), owner])
          expect(withThief).toEqual(withoutThief)
        }),
        { seed: 0x7e1ef, numRuns: 200 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )

  it(
    'never leaves the owner locked out: after the phrase revokes the thief, only the thief is revoked',
    () => {
      const thief = roots[0]
      const byThief = all.filter(({ credential }) => through(credential, thief))
      fc.assert(
        fc.property(fc.subarray(byThief), (chosen) => {
          const credentials = [...chainsOf, ...chosen.map((each) => each.credential), revoke('identity', thief)]
          const result = trusted(credentials)
          expect([...result.revoked]).toEqual([keyOf(thief)])
          // Authorizations made by the identity key stay; the ones made through the thief's device are gone.
          const accepted = new Set(result.accepted.map((credential) => credential.id))
          expect(devices.filter((each) => accepted.has(each.chain.id))).toEqual([...roots])
        }),
        { seed: 0x10c4ed, numRuns: 200 },
      )
    },
    PROPERTY_TIMEOUT_MS,
  )
})

/**
 * Unsigned stand-ins with the shape the rule reads (issuer, subject, signer,
 * chain): `resolveRevocations` takes verified credentials and checks no
 * signature, so thousands of devices cost no signing here.
 */
const shape = {
  device: (index: number) => `device-${index}` as PublicKey,
  revocation: (by: PublicKey | 'identity', target: PublicKey): Credential => {
    const link = (
      signer: PublicKey,
      subject: PublicKey,
      kind: 'AuthorizedDevice' | 'DeviceRevoked',
      chain?: Credential,
    ) =>
      ({
        id: `${kind}:${signer}:${subject}` as CredentialId,
        issuer: me,
        subject,
        assertion: { kind },
        issuedAt: 0,
        parents: [],
        proof: { signer, signature: '', ...(chain && { chain }) },
      }) as Credential
    if (by === 'identity') return link(me, target, 'DeviceRevoked')
    return link(by, target, 'DeviceRevoked', link(me, by, 'AuthorizedDevice'))
  },
}

/** The rule as first written: rounds over every device until none changes (quadratic, kept as the reference). */
const byRounds = (credentials: readonly Credential[]): PublicKey[] => {
  const against = new Map<PublicKey, PublicKey[][]>()
  for (const credential of credentials) {
    if (credential.subject === me) continue
    against.set(credential.subject, [...(against.get(credential.subject) ?? []), signingDevices(credential)])
  }
  const stands = new Set<PublicKey>()
  const out = new Set<PublicKey>()
  const standing = (each: PublicKey) => stands.has(each) || !against.has(each)
  for (let changed = true; changed;) {
    changed = false
    for (const [each, revocations] of against) {
      if (stands.has(each) || out.has(each)) continue
      if (revocations.some((through) => through.every(standing))) out.add(each)
      else if (revocations.every((through) => through.some((via) => out.has(via)))) stands.add(each)
      else continue
      changed = true
    }
  }
  return [...against.keys()].filter((each) => !stands.has(each)).sort()
}

describe('revocation rule at scale', () => {
  it('resolves a chain of 10,000 revocations in reverse order, each device deciding the next', () => {
    // The identity key revokes the last device; each device revokes the one before it. Listed first to last,
    // so rounds over the list decided one device a round.
    const count = 10_000
    const credentials = [
      ...Array.from({ length: count }, (_, index) => shape.revocation(shape.device(index + 1), shape.device(index))),
      shape.revocation('identity', shape.device(count)),
    ]
    const { revoked, holding } = resolveRevocations(me, credentials)
    // The last is revoked, the one before stands (its revoker is revoked), the one before that is revoked, ...
    const expected = Array.from({ length: count + 1 }, (_, index) => index)
      .filter((index) => (count - index) % 2 === 0)
      .map(shape.device)
    expect([...revoked].sort()).toEqual(expected.sort())
    expect(holding.get(shape.device(0))).toEqual([credentials[0]])
  })

  it('decides what rounds over every device decide, on random revocations among eight devices', () => {
    const devices = Array.from({ length: 8 }, (_, index) => shape.device(index))
    const signer = fc.constantFrom<PublicKey | 'identity'>('identity', ...devices)
    const revocation = fc.tuple(signer, fc.constantFrom(...devices))
    fc.assert(
      fc.property(fc.array(revocation, { maxLength: 24 }), (pairs) => {
        const credentials = pairs.map(([by, target]) => shape.revocation(by, target))
        expect([...resolveRevocations(me, credentials).revoked].sort()).toEqual(byRounds(credentials))
      }),
      { seed: 0x3a7c1, numRuns: 500 },
    )
  })
})
