import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { IdentityKey } from '../keys/keys'
import { generateKeyPair } from '../keys/keys'
import type { Credential } from './credential'
import { MAX_INVITATION_USES } from './credential'
import { canonicalJson } from '../encoding/canonical-json'
import { decodeCredential } from './decode'
import { issueCredential } from './issue'
import { MAX_CHAIN_LENGTH, verifyCredential } from './verify'

const clock = new ManualClock(1_800_000_000_000)
const identity = generateKeyPair<IdentityKey>()
const device = generateKeyPair()
const chain = issueCredential({
  issuer: identity.publicKey,
  subject: device.publicKey,
  assertion: { kind: 'AuthorizedDevice' },
  signer: { key: identity },
  clock,
})
const profile = issueCredential({
  issuer: identity.publicKey,
  subject: identity.publicKey,
  assertion: { kind: 'Profile', displayName: 'Ada', avatar: { colour: '#aa00ff' } },
  signer: { key: device, chain },
  clock,
  expiresAt: clock.now() + 1000,
})

/** Decodes JSON text as it arrives from a peer, a file or a synced document. */
const problemOf = (json: string) => {
  const result = decodeCredential(JSON.parse(json))
  return result.ok ? 'ok' : result.error.problem
}

describe('decodeCredential', () => {
  it('round-trips an issued credential through its canonical JSON, which then verifies', () => {
    const decoded = decodeCredential(JSON.parse(canonicalJson(profile)))
    expect(decoded).toEqual({ ok: true, value: profile })
    expect(decoded.ok && verifyCredential(decoded.value, { clock }).ok).toBe(true)
  })

  it('refuses a chain deeper than the verifier would follow', () => {
    let value: Credential = profile
    for (let i = 0; i <= MAX_CHAIN_LENGTH + 1; i++) value = { ...profile, proof: { ...profile.proof, chain: value } }
    expect(problemOf(JSON.stringify(value))).toBe('too-deep')
  })

  it.each([
    ['an unknown field', { ...profile, extra: 1 }],
    ['a missing field', { ...profile, parents: undefined }],
    ['an unknown kind', { ...profile, assertion: { kind: 'Admin' } }],
    ['an upper-case key', { ...profile, issuer: identity.publicKey.toUpperCase() }],
    ['a fractional time', { ...profile, issuedAt: 1.5 }],
    ['a short signature', { ...profile, proof: { ...profile.proof, signature: 'ab' } }],
    ['a bad colour', { ...profile, assertion: { ...profile.assertion, avatar: { colour: 'red' } } }],
    ['a malformed chain', { ...profile, proof: { ...profile.proof, chain: { id: 'x' } } }],
    ['an array', [profile]],
  ])('refuses %s', (_, value) => {
    expect(problemOf(JSON.stringify(value))).toBe('invalid-shape')
  })

  describe('DelegatedInvitation', () => {
    const invitation = issueCredential({
      issuer: identity.publicKey,
      subject: generateKeyPair().publicKey,
      assertion: {
        kind: 'DelegatedInvitation',
        space: device.publicKey,
        role: 'editor',
        uses: 1,
        until: 1_800_000_060_000,
      },
      signer: { key: identity },
      clock,
    })
    const withAssertion = (assertion: Record<string, unknown>) =>
      JSON.stringify({ ...invitation, assertion: { ...invitation.assertion, ...assertion } })

    it('decodes uses 1..100 and an until', () => {
      expect(problemOf(JSON.stringify(invitation))).toBe('ok')
      expect(problemOf(withAssertion({ uses: MAX_INVITATION_USES }))).toBe('ok')
    })

    it.each([
      ['no uses', { uses: undefined }],
      ['zero uses', { uses: 0 }],
      ['more uses than the cap', { uses: MAX_INVITATION_USES + 1 }],
      ['fractional uses', { uses: 1.5 }],
      ['no until', { until: undefined }],
      ['a negative until', { until: -1 }],
      // The shape before `uses`/`until`: nothing ever issued it, and it would never expire.
      ['the old multiUse shape', { uses: undefined, until: undefined, multiUse: true }],
      ['multiUse beside uses', { multiUse: false }],
    ])('refuses %s', (_, assertion) => {
      expect(problemOf(withAssertion(assertion))).toBe('invalid-shape')
    })
  })

  it('refuses a string that is not well-formed Unicode, which a UTF-8 store would change', () => {
    const named = (displayName: string) => ({ ...profile, assertion: { ...profile.assertion, displayName } })
    // JSON.stringify writes a lone surrogate as the escape \ud800; JSON.parse gives it back.
    expect(problemOf(JSON.stringify(named('Ada\ud800')))).toBe('ill-formed-text')
    const inChain = {
      ...profile,
      proof: { ...profile.proof, chain: { ...chain, assertion: { kind: 'DeviceName', name: '\udc00' } } },
    }
    const result = decodeCredential(inChain)
    expect(result.ok ? 'ok' : result.error.problem).toBe('ill-formed-text')
    expect(problemOf(JSON.stringify(named('Ada 🦊')))).toBe('ok')
  })

  it('never throws, whatever the input', () => {
    const json = canonicalJson(profile)
    const parsedOrUndefined = (text: string): unknown => {
      try {
        return JSON.parse(text)
      } catch {
        return undefined
      }
    }
    fc.assert(
      fc.property(fc.nat({ max: json.length }), fc.string({ maxLength: 8 }), (at, insert) => {
        const result = decodeCredential(parsedOrUndefined(json.slice(0, at) + insert + json.slice(at + insert.length)))
        expect(typeof result.ok).toBe('boolean')
      }),
      { seed: 0xdec0de, numRuns: 300 },
    )
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(decodeCredential(value).ok).toBe(false)
      }),
      { seed: 0xdec0de, numRuns: 200 },
    )
  })
})
