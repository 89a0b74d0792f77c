import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { toHex } from '../../base'
import unsigned from '../../../test-vectors/vc-eddsa-jcs-2022/vc_unsigned.json'
import signed from '../../../test-vectors/vc-eddsa-jcs-2022/vc_signedJCS.json'
import combinedHash from '../../../test-vectors/vc-eddsa-jcs-2022/vc_combinedHashJCS.txt?raw'
import { canonicalBytes, canonicalJson, NotCanonical } from './canonical-json'

type CanonicalValue = null | boolean | number | string | CanonicalValue[] | { [key: string]: CanonicalValue }

describe('canonicalJson', () => {
  it('gives fixed bytes for a credential-shaped record', () => {
    const record = {
      subject: 'b0',
      issuer: 'a1',
      parents: [],
      assertion: { role: 'editor', kind: 'SpaceMember', space: 'c2' },
      issuedAt: 1_700_000_000_000,
      expiresAt: undefined,
    }
    expect(canonicalJson(record)).toBe(
      '{"assertion":{"kind":"SpaceMember","role":"editor","space":"c2"},"issuedAt":1700000000000,"issuer":"a1","parents":[],"subject":"b0"}',
    )
    expect(toHex(sha256(canonicalBytes(record)))).toBe(
      'af48df5dc1a5bddc8f4231df823f40572e9cac3698c8301123e16cd4ba37c5f5',
    )
  })

  it('escapes strings and sorts keys as RFC 8785 does', () => {
    // RFC 8785 section 3.2.2.2 string sample, and its UTF-16 key-order sample (section 3.2.3).
    expect(canonicalJson('\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/')).toBe('"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"')
    const keys = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    }
    expect(Object.values(JSON.parse(canonicalJson(keys)) as object)).toEqual([
      'One',
      'Carriage Return',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ])
    expect(canonicalJson(keys).startsWith('{"\\r":"Carriage Return","1":"One"')).toBe(true)
  })

  it('reproduces the W3C eddsa-jcs-2022 combined hash', () => {
    const proofConfig = Object.fromEntries(Object.entries(signed.proof).filter(([key]) => key !== 'proofValue'))
    const expected = toHex(sha256(canonicalBytes(proofConfig))) + toHex(sha256(canonicalBytes(unsigned)))
    expect(expected).toBe(combinedHash.trim())
  })

  it('refuses values that have no single encoding', () => {
    for (const value of [1.5, -0, Number.NaN, 2 ** 53, new Date(0), undefined, 1n, () => 1]) {
      expect(() => canonicalJson(value)).toThrow(NotCanonical)
    }
    // I-JSON: no lone surrogates, in values or keys; pairs are fine.
    expect(() => canonicalJson({ name: 'Ada\ud800' })).toThrow(NotCanonical)
    expect(() => canonicalJson({ ['\udc00']: 1 })).toThrow(NotCanonical)
    expect(canonicalJson({ name: '🦊' })).toBe('{"name":"🦊"}')
    const cyclic: Record<string, CanonicalValue> = {}
    cyclic.self = cyclic
    expect(() => canonicalJson(cyclic)).toThrow(NotCanonical)
  })

  it('is independent of key insertion order and round-trips through JSON.parse', () => {
    const json = fc.letrec<{ value: CanonicalValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.maxSafeInteger(),
        fc.string({ unit: 'binary' }),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 4 }),
      ),
    })).value
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalJson(value)
        const reparsed = JSON.parse(text) as CanonicalValue
        expect(canonicalJson(reparsed)).toBe(text)
        if (reparsed !== null && typeof reparsed === 'object' && !Array.isArray(reparsed)) {
          const reversed = Object.fromEntries(Object.entries(reparsed).reverse())
          expect(canonicalJson(reversed)).toBe(text)
        }
      }),
      { seed: 0x4a11, numRuns: 200 },
    )
  })
})
