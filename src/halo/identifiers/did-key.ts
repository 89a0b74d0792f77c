/**
 * `did:key` for Ed25519 public keys (W3C did:key method): "did:key:z" + base58btc
 * of the multicodec prefix ed25519-pub (0xed, varint 0xed 0x01) and the 32 key bytes.
 */
import { base58 } from '@scure/base'
import { concatBytes, toHex } from '../../base'
import type { PublicKey } from '../keys/keys'
import { parsePublicKey, publicKeyToBytes } from '../keys/keys'

const ED25519_PUB = Uint8Array.of(0xed, 0x01)
const PREFIX = 'did:key:z'

/** Parses base58btc (Bitcoin alphabet); undefined for a character outside it, where the library throws. */
const fromBase58 = (text: string): Uint8Array | undefined => {
  try {
    return base58.decode(text)
  } catch {
    return undefined
  }
}

/** The multibase (base58btc) form of a key, as in `publicKeyMultibase`. */
export const toMultibase = (key: PublicKey): string =>
  `z${base58.encode(concatBytes(ED25519_PUB, publicKeyToBytes(key)))}`

export const toDidKey = (key: PublicKey): string => `did:key:${toMultibase(key)}`

/** The key inside a `did:key` string; undefined unless it is an acceptable Ed25519 key. */
export const fromDidKey = (did: string): PublicKey | undefined => {
  if (!did.startsWith(PREFIX)) return undefined
  const bytes = fromBase58(did.slice(PREFIX.length))
  if (bytes?.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) return undefined
  return parsePublicKey(toHex(bytes.subarray(2)))
}
