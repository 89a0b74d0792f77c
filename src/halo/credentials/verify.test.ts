import { describe, expect, it } from 'vitest'
import type { Result } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import type { DeviceKey, IdentityKey, KeyPair } from '../keys/keys'
import { generateKeyPair } from '../keys/keys'
import type { Assertion, Credential, CredentialId } from './credential'
import { issueCredential } from './issue'
import { credentialIdOf, signedBytes } from './signed-bytes'
import type { Rejection, RejectionReason, VerifyContext } from './verify'
import { DEFAULT_CLOCK_SKEW_MS, MAX_CHAIN_LENGTH, verifyCredential } from './verify'
import { VerifiedCache } from './verified-cache'

const T0 = 1_800_000_000_000
const clock = new ManualClock(T0)
const context: VerifyContext = { clock }

interface Person {
  identity: KeyPair<IdentityKey>
  device: KeyPair<DeviceKey>
  chain: Credential
}

const authorize = (identity: KeyPair, device: KeyPair, signer: KeyPair = identity, chain?: Credential): Credential =>
  issueCredential({
    issuer: identity.publicKey,
    subject: device.publicKey,
    assertion: { kind: 'AuthorizedDevice' },
    signer: { key: signer, ...(chain === undefined ? {} : { chain }) },
    clock,
  })

const person = (): Person => {
  const identity = generateKeyPair<IdentityKey>()
  const device = generateKeyPair<DeviceKey>()
  return { identity, device, chain: authorize(identity, device) }
}

const alice = person()
const bob = person()
const profile: Assertion = { kind: 'Profile', displayName: 'Alice', avatar: { colour: '#3366ff', emoji: '🦊' } }

const byDevice = (who: Person, extra: { expiresAt?: number; parents?: CredentialId[] } = {}): Credential =>
  issueCredential({
    issuer: who.identity.publicKey,
    subject: who.identity.publicKey,
    assertion: profile,
    signer: { key: who.device, chain: who.chain },
    clock,
    ...extra,
  })

/** Re-computes the id after a change, as a forger who knows the format would. */
const withFreshId = (credential: Credential): Credential => ({
  ...credential,
  id: credentialIdOf(signedBytes({ ...credential, signer: credential.proof.signer })),
})

const reasonOf = (result: Result<Credential, Rejection>): RejectionReason | 'ok' =>
  result.ok ? 'ok' : result.error.reason

describe('verifyCredential', () => {
  it('accepts a credential signed by the identity itself and one signed by an authorized device', () => {
    expect(reasonOf(verifyCredential(alice.chain, context))).toBe('ok')
    expect(reasonOf(verifyCredential(byDevice(alice), context))).toBe('ok')
  })

  it('accepts a device authorized by another device (a chain of several links)', () => {
    const second = generateKeyPair()
    const secondChain = authorize(alice.identity, second, alice.device, alice.chain)
    const signed = issueCredential({
      issuer: alice.identity.publicKey,
      subject: alice.identity.publicKey,
      assertion: profile,
      signer: { key: second, chain: secondChain },
      clock,
    })
    expect(reasonOf(verifyCredential(signed, context))).toBe('ok')
  })

  it('tampered field: id-mismatch, and bad-signature once the id is recomputed', () => {
    const tampered = { ...byDevice(alice), assertion: { ...profile, displayName: 'Mallory' } }
    expect(reasonOf(verifyCredential(tampered, context))).toBe('id-mismatch')
    expect(reasonOf(verifyCredential(withFreshId(tampered), context))).toBe('bad-signature')
    const later = withFreshId({ ...byDevice(alice), issuedAt: T0 + 1 })
    expect(reasonOf(verifyCredential(later, context))).toBe('bad-signature')
  })

  it('swapped issuer: bad-signature, or foreign-chain when the device re-signs for another identity', () => {
    const swapped = withFreshId({ ...byDevice(alice), issuer: bob.identity.publicKey })
    expect(reasonOf(verifyCredential(swapped, context))).toBe('bad-signature')
    const resigned = issueCredential({
      issuer: bob.identity.publicKey,
      subject: bob.identity.publicKey,
      assertion: profile,
      signer: { key: alice.device, chain: alice.chain },
      clock,
    })
    expect(reasonOf(verifyCredential(resigned, context))).toBe('foreign-chain')
  })

  it('chain to another identity: foreign-chain', () => {
    const mixed = issueCredential({
      issuer: alice.identity.publicKey,
      subject: alice.identity.publicKey,
      assertion: profile,
      signer: { key: bob.device, chain: bob.chain },
      clock,
    })
    expect(reasonOf(verifyCredential(mixed, context))).toBe('foreign-chain')
  })

  it('chain for another device of the same identity: broken-chain', () => {
    const other = person()
    const wrongDevice = authorize(alice.identity, other.device)
    const credential = { ...byDevice(alice), proof: { ...byDevice(alice).proof, chain: wrongDevice } }
    expect(reasonOf(verifyCredential(credential, context))).toBe('broken-chain')
  })

  it('missing chain, and a chain where none belongs', () => {
    const signed = byDevice(alice)
    const bare = { signer: signed.proof.signer, signature: signed.proof.signature }
    expect(reasonOf(verifyCredential({ ...signed, proof: bare }, context))).toBe('missing-chain')
    const direct = issueCredential({
      issuer: alice.identity.publicKey,
      subject: alice.identity.publicKey,
      assertion: profile,
      signer: { key: alice.identity, chain: alice.chain },
      clock,
    })
    expect(reasonOf(verifyCredential(direct, context))).toBe('unexpected-chain')
  })

  it('wrong kind in the chain: wrong-kind', () => {
    const notAnAuthorization = issueCredential({
      issuer: alice.identity.publicKey,
      subject: alice.device.publicKey,
      assertion: { kind: 'DeviceName', name: 'laptop' },
      signer: { key: alice.identity },
      clock,
    })
    const credential = issueCredential({
      issuer: alice.identity.publicKey,
      subject: alice.identity.publicKey,
      assertion: profile,
      signer: { key: alice.device, chain: notAnAuthorization },
      clock,
    })
    expect(reasonOf(verifyCredential(credential, context))).toBe('wrong-kind')
  })

  it('cyclic chain: a device that reappears in its own chain, and an object that contains itself', () => {
    const second = generateKeyPair()
    const secondByFirst = authorize(alice.identity, second, alice.device, alice.chain)
    const firstBySecond = authorize(alice.identity, alice.device, second, secondByFirst)
    const looped = issueCredential({
      issuer: alice.identity.publicKey,
      subject: alice.identity.publicKey,
      assertion: profile,
      signer: { key: alice.device, chain: firstBySecond },
      clock,
    })
    expect(reasonOf(verifyCredential(looped, context))).toBe('cyclic-chain')

    const selfAuthorized = authorize(alice.identity, alice.device, alice.device)
    const proof: { signer: string; signature: string; chain?: Credential } = { ...selfAuthorized.proof }
    const knot = { ...selfAuthorized, proof } as Credential
    proof.chain = knot
    expect(reasonOf(verifyCredential(knot, context))).toBe('cyclic-chain')
  })

  it('chain longer than the limit: chain-too-long', () => {
    let signer: KeyPair = alice.identity
    let chain: Credential | undefined
    for (let i = 0; i <= MAX_CHAIN_LENGTH; i++) {
      const next = generateKeyPair()
      chain = authorize(alice.identity, next, signer, chain)
      signer = next
    }
    const deep = issueCredential({
      issuer: alice.identity.publicKey,
      subject: alice.identity.publicKey,
      assertion: profile,
      signer: { key: signer, ...(chain === undefined ? {} : { chain }) },
      clock,
    })
    expect(reasonOf(verifyCredential(deep, context))).toBe('chain-too-long')
  })

  it('expired, with the clock-skew tolerance tested at its boundary', () => {
    const expiring = byDevice(alice, { expiresAt: T0 + 1000 })
    const at = (now: number) => reasonOf(verifyCredential(expiring, { clock: new ManualClock(now) }))
    expect(at(T0 + 1000)).toBe('ok')
    expect(at(T0 + 1000 + DEFAULT_CLOCK_SKEW_MS)).toBe('ok')
    expect(at(T0 + 1000 + DEFAULT_CLOCK_SKEW_MS + 1)).toBe('expired')
    expect(reasonOf(verifyCredential(expiring, { clock: new ManualClock(T0 + 1001), skewMs: 0 }))).toBe('expired')
  })

  it('issued in the future beyond the skew: not-yet-valid', () => {
    const credential = byDevice(alice)
    expect(reasonOf(verifyCredential(credential, { clock: new ManualClock(T0 - DEFAULT_CLOCK_SKEW_MS) }))).toBe('ok')
    const early = new ManualClock(T0 - DEFAULT_CLOCK_SKEW_MS - 1)
    expect(reasonOf(verifyCredential(credential, { clock: early }))).toBe('not-yet-valid')
  })

  it('an expired link in the chain fails the whole credential', () => {
    const shortLived = issueCredential({
      issuer: alice.identity.publicKey,
      subject: alice.device.publicKey,
      assertion: { kind: 'AuthorizedDevice' },
      signer: { key: alice.identity },
      clock,
      expiresAt: T0,
    })
    const credential = byDevice({ ...alice, chain: shortLived })
    const later = { clock: new ManualClock(T0 + DEFAULT_CLOCK_SKEW_MS + 1) }
    const result = verifyCredential(credential, later)
    expect(result.ok ? undefined : [result.error.reason, result.error.credential]).toEqual(['expired', shortLived.id])
  })

  it('revoked device: revoked', () => {
    const revoked = (identity: string, device: string) =>
      identity === alice.identity.publicKey && device === alice.device.publicKey
    expect(reasonOf(verifyCredential(byDevice(alice), { clock, isRevoked: revoked }))).toBe('revoked')
    expect(reasonOf(verifyCredential(byDevice(bob), { clock, isRevoked: revoked }))).toBe('ok')
  })

  it('unknown parent: unknown-parent until the parent is known', () => {
    const parent = byDevice(alice)
    const child = byDevice(alice, { parents: [parent.id] })
    expect(reasonOf(verifyCredential(child, context))).toBe('unknown-parent')
    const known = new Set<string>([parent.id])
    expect(reasonOf(verifyCredential(child, { clock, hasCredential: (id) => known.has(id) }))).toBe('ok')
  })

  it('a small-order subject key: invalid-key', () => {
    const smallOrder = withFreshId({ ...byDevice(alice), subject: `01${'00'.repeat(31)}` as IdentityKey })
    expect(reasonOf(verifyCredential(smallOrder, context))).toBe('invalid-key')
  })

  it('a value that has no canonical form: malformed', () => {
    const fractional = { ...byDevice(alice), issuedAt: T0 + 0.5 }
    expect(reasonOf(verifyCredential(fractional, context))).toBe('malformed')
  })
})

describe('verifyCredential with a VerifiedCache', () => {
  it('gives the same verdicts, and still checks times, parents and revocations', () => {
    const cache = new VerifiedCache()
    const credential = byDevice(alice, { expiresAt: T0 + 1000 })
    expect(reasonOf(verifyCredential(credential, { clock, cache }))).toBe('ok')
    expect(cache.size).toBe(2)
    expect(reasonOf(verifyCredential(credential, { clock, cache }))).toBe('ok')
    const late = new ManualClock(T0 + 1000 + DEFAULT_CLOCK_SKEW_MS + 1)
    expect(reasonOf(verifyCredential(credential, { clock: late, cache }))).toBe('expired')
    const revoked = () => true
    expect(reasonOf(verifyCredential(credential, { clock, cache, isRevoked: revoked }))).toBe('revoked')
  })

  it('never lets a cached verdict cover another signature or changed content', () => {
    const cache = new VerifiedCache()
    const credential = byDevice(alice)
    expect(verifyCredential(credential, { clock, cache }).ok).toBe(true)
    const forged = { ...credential, proof: { ...credential.proof, signature: byDevice(bob).proof.signature } }
    expect(reasonOf(verifyCredential(forged, { clock, cache }))).toBe('bad-signature')
    const changed = { ...credential, assertion: { ...profile, displayName: 'Eve' } }
    expect(reasonOf(verifyCredential(changed, { clock, cache }))).toBe('id-mismatch')
  })

  it('stays within its capacity, dropping the least recently used', () => {
    const cache = new VerifiedCache(2)
    cache.add('a', 's')
    cache.add('b', 's')
    expect(cache.has('a', 's')).toBe(true)
    cache.add('c', 's')
    expect([cache.size, cache.has('a', 's'), cache.has('b', 's'), cache.has('c', 's')]).toEqual([2, true, false, true])
  })
})
