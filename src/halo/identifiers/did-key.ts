/**
 * `did:key` for Ed25519 public keys (W3C did:key method): "did:key:z" + base58btc
 * of the multicodec prefix ed25519-pub (0xed, varint 0xed 0x01) and the 32 key bytes.
 */
import { base58 } from '@scure/base'
import { concatBytes } from '../../base'
import type { PublicKey } from '../keys/keys'
import { publicKeyToBytes } from '../keys/keys'

const ED25519_PUB = Uint8Array.of(0xed, 0x01)

/** The multibase (base58btc) form of a key, as in `publicKeyMultibase`. */
export const toMultibase = (key: PublicKey): string =>
  `z${base58.encode(concatBytes(ED25519_PUB, publicKeyToBytes(key)))}`

export const toDidKey = (key: PublicKey): string => `did:key:${toMultibase(key)}`
