import type { Brand } from '../../base'
import { assert, fromHex, toHex } from '../../base'
import { isAcceptablePublicKey, publicKeyFromSeed, randomSeed, signBytes, verifySignature } from './ed25519'

/** An Ed25519 public key as 64 lowercase hex characters, already checked by `isAcceptablePublicKey`. */
export type PublicKey = Brand<string, 'PublicKey'>
/** The public key that is a person's identity. */
export type IdentityKey = PublicKey & { readonly __identityKey: true }
/** The public key of one device (browser profile) of an identity. */
export type DeviceKey = PublicKey & { readonly __deviceKey: true }
/** The 32-byte Ed25519 seed; never leaves HALO unwrapped except into an encrypted export. */
export type SecretKey = Brand<Uint8Array, 'SecretKey'>

export interface KeyPair<K extends PublicKey = PublicKey> {
  readonly publicKey: K
  readonly secretKey: SecretKey
}

const HEX_KEY = /^[0-9a-f]{64}$/

/** Parses and checks a public key that came from outside; undefined when it is not one we accept. */
export const parsePublicKey = (text: string): PublicKey | undefined => {
  if (!HEX_KEY.test(text)) return undefined
  const bytes = fromHex(text)
  return bytes !== undefined && isAcceptablePublicKey(bytes) ? (text as PublicKey) : undefined
}

export const publicKeyToBytes = (key: PublicKey): Uint8Array => {
  const bytes = fromHex(key)
  assert(bytes?.length === 32, 'a PublicKey is 32 bytes of hex')
  return bytes
}

export const keyPairFromSeed = <K extends PublicKey = PublicKey>(seed: Uint8Array): KeyPair<K> => ({
  publicKey: toHex(publicKeyFromSeed(seed)) as K,
  secretKey: seed as SecretKey,
})

export const generateKeyPair = <K extends PublicKey = PublicKey>(): KeyPair<K> => keyPairFromSeed<K>(randomSeed())

export const signWith = (pair: KeyPair, message: Uint8Array): Uint8Array => signBytes(message, pair.secretKey)

/**
 * True only when `signature` (hex) is a strict RFC 8032 signature of `message` by `key` (hex), for a peer's
 * signature over raw bytes such as a handshake transcript; a key that `parsePublicKey` refuses never verifies.
 */
export const verifyBytes = (signature: string, message: Uint8Array, key: string): boolean => {
  const publicKey = parsePublicKey(key)
  const signatureBytes = /^[0-9a-f]{128}$/.test(signature) ? fromHex(signature) : undefined
  if (publicKey === undefined || signatureBytes === undefined) return false
  return verifySignature(signatureBytes, message, publicKeyToBytes(publicKey))
}
