/**
 * Fuzz properties of credentials and chains (issue 13): a mutated genuine credential, from a peer, a file or a
 * synced log, never throws in `decodeCredential`, `verifyCredential` or `verifyPeerDevice`; it is refused with a
 * typed reason, or it holds and then says exactly what the genuine one said (the same canonical content). `npm run
 * fuzz` runs them with random seeds (scripts/fuzz/credentials.ts).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { mutatedJson, mutatedText } from '../../base/testing/mutations'
import { checkAsyncProperty, checkProperty, expectNoHang, propertyTimeout } from '../../base/testing/properties'
import { canonicalJson } from '../encoding/canonical-json'
import { verifyPeerDevice } from '../identity/peer-device'
import type { PublicKey } from '../keys/keys'
import { fixedKeyPair } from '../testing'
import type { Credential } from './credential'
import { CredentialMalformed, decodeCredential } from './decode'
import { issueCredential } from './issue'
import { verifyCredential } from './verify'

const clock = new ManualClock(1_800_000_000_000)
const identity = fixedKeyPair(1)
const first = fixedKeyPair(2)
const second = fixedKeyPair(3)
/** identity → first device; first device → second device (for the identity); a Profile by the second. */
const firstChain = issueCredential({
  issuer: identity.publicKey,
  subject: first.publicKey,
  assertion: { kind: 'AuthorizedDevice' },
  signer: { key: identity },
  clock,
  expiresAt: 1_900_000_000_000,
})
const secondChain = issueCredential({
  issuer: identity.publicKey,
  subject: second.publicKey,
  assertion: { kind: 'AuthorizedDevice' },
  signer: { key: first, chain: firstChain },
  clock,
})
const profile = issueCredential({
  issuer: identity.publicKey,
  subject: identity.publicKey,
  assertion: { kind: 'Profile', displayName: 'Ada', avatar: { colour: '#3366ff', emoji: '🦊' } },
  signer: { key: second, chain: secondChain },
  clock,
})
const genuine: readonly Credential[] = [firstChain, secondChain, profile]
const plain = (credential: Credential): unknown => JSON.parse(JSON.stringify(credential))

/** A mutated genuine credential: its parsed JSON edited, or its text edited and parsed (undefined if no JSON). */
const mutatedCredential: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...genuine).chain((credential) => mutatedJson(plain(credential), 4)),
  fc.constantFrom(...genuine).chain((credential) =>
    mutatedText(JSON.stringify(credential)).map((text) => {
      try {
        return JSON.parse(text) as unknown
      } catch {
        return undefined
      }
    }),
  ),
)

const REASONS = [
  'malformed',
  'invalid-key',
  'id-mismatch',
  'bad-signature',
  'missing-chain',
  'unexpected-chain',
  'wrong-kind',
  'broken-chain',
  'foreign-chain',
  'cyclic-chain',
  'chain-too-long',
  'expired',
  'not-yet-valid',
  'revoked',
  'unknown-parent',
  'wrong-subject',
]

/** Holds only as one of the genuine credentials, field for field. */
const expectGenuine = (credential: Credential): void => {
  expect(genuine.map((one) => canonicalJson(one))).toContain(canonicalJson(credential))
}

describe('credentials under mutation', () => {
  it(
    'a mutated credential is malformed, refused with a reason, or exactly a genuine one',
    () => {
      checkProperty(
        fc.property(mutatedCredential, (value) => {
          const started = performance.now()
          const decoded = decodeCredential(value)
          if (!decoded.ok) {
            expect(decoded.error).toBeInstanceOf(CredentialMalformed)
            return
          }
          const verified = verifyCredential(decoded.value, { clock, isRevoked: () => false })
          expectNoHang(started, 'decodeCredential and verifyCredential')
          if (verified.ok) expectGenuine(verified.value)
          else expect(REASONS).toContain(verified.error.reason)
        }),
        { seed: 1_302_201, numRuns: 300 },
      )
    },
    propertyTimeout(),
  )

  it(
    'a mutated device chain proves no other device and no other identity',
    async () => {
      const devices = [first.publicKey, second.publicKey, fixedKeyPair(4).publicKey] as PublicKey[]
      await checkAsyncProperty(
        fc.asyncProperty(mutatedCredential, fc.constantFrom(...devices), async (chain, device) => {
          const started = performance.now()
          const result = await verifyPeerDevice(chain, device, { clock, isRevoked: () => false })
          expectNoHang(started, 'verifyPeerDevice')
          if (!result.ok) {
            expect(REASONS).toContain(result.error.reason)
            return
          }
          expect(result.value.identity).toBe(identity.publicKey)
          expect(result.value.chain.subject).toBe(device)
          expect(result.value.chain.assertion.kind).toBe('AuthorizedDevice')
          expectGenuine(result.value.chain)
        }),
        { seed: 1_302_202, numRuns: 300 },
      )
    },
    propertyTimeout(),
  )
})
