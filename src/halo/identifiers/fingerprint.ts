/**
 * A short form of a public key for two people to compare out of band ("does your
 * screen say 7HQ4 K2MX ...?"). 100 bits of SHA-256 over a labelled key, in five
 * groups of four Crockford base32 characters (no I, L, O, U to misread). Words
 * were rejected on purpose: BIP-39 words here would look like a recovery phrase.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8 } from '../../base'
import type { PublicKey } from '../keys/keys'
import { publicKeyToBytes } from '../keys/keys'

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const LABEL = utf8('commonplace/fingerprint/v1')
const CHARACTERS = 20

export const fingerprint = (key: PublicKey): string => {
  const digest = sha256(concatBytes(LABEL, publicKeyToBytes(key)))
  let out = ''
  for (let i = 0; i < CHARACTERS; i++) {
    const bit = i * 5
    const pair = ((digest[bit >> 3] ?? 0) << 8) | (digest[(bit >> 3) + 1] ?? 0)
    out += CROCKFORD.charAt((pair >> (11 - (bit & 7))) & 31)
    if (i % 4 === 3 && i < CHARACTERS - 1) out += ' '
  }
  return out
}
