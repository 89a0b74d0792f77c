/**
 * Fuzz properties of identity files (issue 13): a mutated genuine file never throws before its key derivation
 * (`parseEnvelope`) and is refused with a typed error; a mutated payload (what a file made with a known password
 * may hold) never throws in `decodePayload` and is refused as damaged or read to a secret and valid credentials.
 * The key derivation between them is PBKDF2 at 600,000 iterations, about 0.7 s here by design, so the two stages are
 * fuzzed apart. `npm run fuzz` runs them with random seeds (scripts/fuzz/files.ts).
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { toHex, utf8 } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import { mutatedBytes, mutatedJson, mutatedText } from '../../base/testing/mutations'
import { checkProperty, expectNoHang, propertyTimeout } from '../../base/testing/properties'
import { decodeCredential } from '../credentials/decode'
import { issueCredential } from '../credentials/issue'
import { canonicalBytes } from '../encoding/canonical-json'
import { decodePayload, parseEnvelope, writeIdentityFile } from './identity-file'
import { identityKeyPairOf, newRecoverySecret } from './recovery-phrase'

const secret = newRecoverySecret()
const identity = identityKeyPairOf(secret)
const profile = issueCredential({
  issuer: identity.publicKey,
  subject: identity.publicKey,
  assertion: { kind: 'Profile', displayName: 'Grace', avatar: { colour: '#00aa55', emoji: '🌱' } },
  signer: { key: identity },
  clock: new ManualClock(1_800_000_000_000),
})
const payload = { secret: toHex(secret), credentials: [JSON.parse(JSON.stringify(profile)) as unknown] }
const CODES = ['identity-file-damaged', 'identity-file-unsupported']

let file = ''
beforeAll(async () => {
  const written = await writeIdentityFile({ secret, credentials: [profile] }, 'correct horse battery')
  if (!written.ok) throw written.error
  file = written.value
})

describe('identity files under mutation', () => {
  it(
    'a mutated file is refused with a typed error before its key derivation, or reaches it whole',
    () => {
      const inputs = fc.oneof(
        fc.constant(null).chain(() => mutatedText(file)),
        fc.constant(null).chain(() => mutatedJson(JSON.parse(file)).map((value) => JSON.stringify(value))),
      )
      checkProperty(
        fc.property(inputs, (text) => {
          const started = performance.now()
          const parsed = parseEnvelope(text)
          expectNoHang(started, 'parseEnvelope')
          if (!parsed.ok) expect(CODES).toContain(parsed.error.code)
          else expect(parsed.value.cipher.iv.length).toBe(12)
        }),
        { seed: 1_302_401, numRuns: 300 },
      )
    },
    propertyTimeout(),
  )

  it(
    'a mutated payload is refused as damaged or read to a secret and valid credentials',
    () => {
      const genuine = canonicalBytes(payload)
      const inputs = fc.oneof(
        mutatedBytes(genuine),
        mutatedJson(payload, 4).map((value) => utf8(JSON.stringify(value))),
      )
      checkProperty(
        fc.property(inputs, (plaintext) => {
          const started = performance.now()
          const decoded = decodePayload(plaintext)
          expectNoHang(started, 'decodePayload')
          if (!decoded.ok) {
            expect(decoded.error.code).toBe('identity-file-damaged')
            return
          }
          expect(decoded.value.secret).toHaveLength(16)
          for (const credential of decoded.value.credentials) expect(decodeCredential(credential).ok).toBe(true)
        }),
        { seed: 1_302_402, numRuns: 300 },
      )
    },
    propertyTimeout(),
  )
})
