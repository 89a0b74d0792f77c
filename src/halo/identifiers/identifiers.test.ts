import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { assert, fromHex, toHex } from '../../base'
import keyPair from '../../../test-vectors/vc-eddsa-jcs-2022/vc_keyPair.json'
import signed from '../../../test-vectors/vc-eddsa-jcs-2022/vc_signedJCS.json'
import combinedHash from '../../../test-vectors/vc-eddsa-jcs-2022/vc_combinedHashJCS.txt?raw'
import { publicKeyFromSeed, verifySignature } from '../keys/ed25519'
import type { PublicKey } from '../keys/keys'
import { generateKeyPair, parsePublicKey, publicKeyToBytes } from '../keys/keys'
import { base58 } from '@scure/base'
import { toDidKey, toMultibase } from './did-key'
import { fingerprint } from './fingerprint'

const W3C_KEY = 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2'
const toBase58 = (bytes: Uint8Array): string => base58.encode(bytes)
const fromBase58 = (text: string): Uint8Array => base58.decode(text)

/** The W3C vector's public key, read from its multibase form: multicodec ed25519-pub (0xed 0x01) and 32 bytes. */
const w3cKey = (): PublicKey => {
  const bytes = fromBase58(keyPair.publicKeyMultibase.slice(1))
  expect(bytes.subarray(0, 2)).toEqual(Uint8Array.of(0xed, 0x01))
  const key = parsePublicKey(toHex(bytes.subarray(2)))
  assert(key !== undefined, 'the W3C vector key parses')
  return key
}

describe('base58btc', () => {
  it('matches known encodings, leading zeros included', () => {
    expect(toBase58(new TextEncoder().encode('Hello World!'))).toBe('2NEpo7TZRRrLZSi2U')
    expect(toBase58(Uint8Array.of(0, 0, 1))).toBe('112')
    expect(fromBase58('112')).toEqual(Uint8Array.of(0, 0, 1))
    // Characters outside the alphabet: the library throws.
    expect(() => fromBase58('0OIl')).toThrow()
  })
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(fromBase58(toBase58(bytes))).toEqual(bytes)
      }),
      { seed: 58, numRuns: 200 },
    )
  })
})

describe('did:key', () => {
  it("encodes the W3C vector key as the vector's did:key and multibase", () => {
    const key = w3cKey()
    expect(toDidKey(key)).toBe(W3C_KEY)
    expect(toMultibase(key)).toBe(keyPair.publicKeyMultibase)
  })

  it('is the key of the W3C private key, and verifies the W3C signed credential with it', () => {
    const secret = fromBase58(keyPair.privateKeyMultibase.slice(1))
    // multicodec ed25519-priv is 0x1300, varint 0x80 0x26.
    expect(secret.subarray(0, 2)).toEqual(Uint8Array.of(0x80, 0x26))
    const key = w3cKey()
    expect(toHex(publicKeyFromSeed(secret.subarray(2)))).toBe(key)
    const signature = fromBase58(signed.proof.proofValue.slice(1))
    const message = fromHex(combinedHash.trim()) ?? new Uint8Array()
    expect(verifySignature(signature, message, publicKeyToBytes(key))).toBe(true)
  })
})

describe('fingerprint', () => {
  it('is five groups of four unambiguous characters, fixed for a given key', () => {
    const key = w3cKey()
    expect(fingerprint(key)).toBe('G8RW QFMN 7NV0 YAPZ 1NQ1')
    expect(fingerprint(generateKeyPair().publicKey)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}( [0-9A-HJKMNP-TV-Z]{4}){4}$/)
  })
  it('differs between keys', () => {
    expect(fingerprint(generateKeyPair().publicKey)).not.toBe(fingerprint(generateKeyPair().publicKey))
  })
})

/** Made by the hand-written base58 and Crockford code before @scure/base (2026-11-26); people have seen these. */
const SHOWN = [
  [
    '3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29',
    'AM1F T7YS RRS6 J9ZA 02B6',
    'z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp',
  ],
  [
    '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c',
    '6YZT A35M 2W6G 3F0K M9GT',
    'z6Mkon3Necd6NkkyfoGoHxid2znGc59LU3K7mubaRcFbLfLX',
  ],
  [
    '248acbdbaf9e050196de704bea2d68770e519150d103b587dae2d9cad53dd930',
    'CG29 SVD4 DBM8 GF5Y TH1H',
    'z6MkguuUVNj72BEqpY3qHikwFtSCiUWgDGbwiX8pqu5uh3gK',
  ],
  [
    '76a1592044a6e4f511265bca73a604d90b0529d1df602be30a19a9257660d1f5',
    '54WA XFV9 BGNR X57Y X1YW',
    'z6MknSLrJoTcukLrE435hVNQT4JUhbvWLX4kUzqkEStBU8Vi',
  ],
] as const

describe('identifiers already shown to people', () => {
  it('keep the same fingerprint and did:key', () => {
    for (const [hex, shownFingerprint, multibase] of SHOWN) {
      const key = parsePublicKey(hex)
      assert(key !== undefined, 'a vector key parses')
      expect([fingerprint(key), toDidKey(key)]).toEqual([shownFingerprint, `did:key:${multibase}`])
    }
  })
})
