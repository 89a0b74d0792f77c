/**
 * A sealed box to one device (sharing-protocol.md §4.0): anyone can seal to a device's Ed25519 key; only
 * that device's seed opens it. An ephemeral X25519 key meets the recipient's key in Montgomery form,
 * HKDF-SHA-256 binds the secret to both public keys, XChaCha20-Poly1305 seals with the caller's label as
 * additional data. box = ephPub (32) | nonce (24) | ciphertext (plaintext + 16-byte tag).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import type { Result } from '../../base'
import { AppError, concatBytes, err, ok, utf8 } from '../../base'
import { publicKeyFromSeed } from '../keys/ed25519'
import type { PublicKey } from '../keys/keys'
import { publicKeyToBytes } from '../keys/keys'

const KEY_LENGTH = 32
const NONCE_LENGTH = 24
const TAG_LENGTH = 16
const HEADER_LENGTH = KEY_LENGTH + NONCE_LENGTH
/** Boxes carry 32-byte secrets; the cap bounds the work a stranger's box can cause. */
export const MAX_BOX_LENGTH = 4096
const INFO = utf8('commonplace/seal/v1')

/** Why a box did not open. AEAD cannot tell a wrong recipient, a wrong label and a changed byte apart. */
export type SealRefusedCode = 'box-too-short' | 'box-too-long' | 'small-order-key' | 'not-opened'

export class SealRefused extends AppError<SealRefusedCode> {}

const boxKey = (shared: Uint8Array, ephPub: Uint8Array, recipient: Uint8Array): Uint8Array =>
  hkdf(sha256, shared, ephPub, concatBytes(INFO, recipient), KEY_LENGTH)

/** Seals with a given ephemeral secret and nonce: for known-answer tests; production uses `sealFor`. */
export const sealWith = (
  recipient: PublicKey,
  plaintext: Uint8Array,
  aad: string,
  ephemeralSecret: Uint8Array,
  nonce: Uint8Array,
): Uint8Array => {
  if (HEADER_LENGTH + plaintext.length + TAG_LENGTH > MAX_BOX_LENGTH) {
    throw new RangeError('the plaintext does not fit in a sealed box')
  }
  const recipientBytes = publicKeyToBytes(recipient)
  const ephPub = x25519.getPublicKey(ephemeralSecret)
  const shared = x25519.getSharedSecret(ephemeralSecret, ed25519.utils.toMontgomery(recipientBytes))
  const key = boxKey(shared, ephPub, recipientBytes)
  return concatBytes(ephPub, nonce, xchacha20poly1305(key, nonce, utf8(aad)).encrypt(plaintext))
}

/** Seals `plaintext` so only the device of `recipient` opens it, under the label `aad`. */
export const sealFor = (recipient: PublicKey, plaintext: Uint8Array, aad: string): Uint8Array =>
  sealWith(
    recipient,
    plaintext,
    aad,
    crypto.getRandomValues(new Uint8Array(KEY_LENGTH)),
    crypto.getRandomValues(new Uint8Array(NONCE_LENGTH)),
  )

const refused = (code: SealRefusedCode, why: string): Result<never, SealRefused> => err(new SealRefused(code, why))

const sharedSecret = (secret: Uint8Array, ephPub: Uint8Array): Uint8Array | undefined => {
  try {
    const shared = x25519.getSharedSecret(secret, ephPub)
    return shared.some((byte) => byte !== 0) ? shared : undefined
  } catch {
    // noble refuses a low-order point: an all-zero secret anyone could compute.
    return undefined
  }
}

/** Opens a box sealed to the device whose Ed25519 seed is `recipientSeed`; every byte of `box` is a stranger's. */
export const openSealedBox = (
  recipientSeed: Uint8Array,
  box: Uint8Array,
  aad: string,
): Result<Uint8Array, SealRefused> => {
  if (box.length < HEADER_LENGTH + TAG_LENGTH) return refused('box-too-short', 'the sealed box is too short')
  if (box.length > MAX_BOX_LENGTH) return refused('box-too-long', 'the sealed box is too long')
  const ephPub = box.subarray(0, KEY_LENGTH)
  const shared = sharedSecret(ed25519.utils.toMontgomerySecret(recipientSeed), ephPub)
  if (shared === undefined) return refused('small-order-key', 'the sealed box uses a key of small order')
  const key = boxKey(shared, ephPub, publicKeyFromSeed(recipientSeed))
  try {
    const nonce = box.subarray(KEY_LENGTH, HEADER_LENGTH)
    return ok(xchacha20poly1305(key, nonce, utf8(aad)).decrypt(box.subarray(HEADER_LENGTH)))
  } catch {
    return refused('not-opened', 'the sealed box is not for this device, or not this label, or was changed')
  }
}
