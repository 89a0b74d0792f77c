/**
 * A short form of a public key for two people to compare out of band ("does your
 * screen say 7HQ4 K2MX ...?"). 100 bits of SHA-256 over a labelled key, in five
 * groups of four Crockford base32 characters (no I, L, O, U to misread). Words
 * were rejected on purpose: BIP-39 words here would look like a recovery phrase.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { base32crockford } from '@scure/base'
import { concatBytes, utf8 } from '../../base'
import type { PublicKey } from '../keys/keys'
import { publicKeyToBytes } from '../keys/keys'

const LABEL = utf8('commonplace/fingerprint/v1')
const CHARACTERS = 20

/** The first 100 bits of the digest in Crockford base32, as `XXXX XXXX XXXX XXXX XXXX`. */
export const fingerprint = (key: PublicKey): string =>
  base32crockford
    .encode(sha256(concatBytes(LABEL, publicKeyToBytes(key))))
    .slice(0, CHARACTERS)
    .replace(/(.{4})(?=.)/g, '$1 ')
