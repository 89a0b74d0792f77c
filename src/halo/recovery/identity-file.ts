/**
 * The identity as a password-encrypted file. JSON, so a person can see what it is:
 *
 *   { "format": "commonplace-identity", "version": 1,
 *     "kdf": { "name": "PBKDF2-SHA-256", "iterations": 600000, "salt": <16 bytes> },
 *     "cipher": { "name": "AES-GCM", "iv": <12 bytes> },
 *     "check": <16 bytes>, "ciphertext": <bytes> }          (bytes as base64url)
 *
 * PBKDF2-SHA-256 from WebCrypto at 600,000 iterations (OWASP's 2023 figure for
 * it) gives 512 bits: the first 256 are the AES-GCM key, the next 128 are
 * `check`, which tells a wrong password from a damaged file (a wrong password
 * could already be tested against the ciphertext, so `check` leaks nothing
 * new). The header is the AES-GCM additional data: changing any parameter
 * breaks decryption. The plaintext is canonical JSON: the recovery secret and
 * the identity's credentials.
 */
import * as v from 'valibot'
import type { Result } from '../../base'
import { AppError, bytesEqual, err, fromBase64Url, fromHex, fromUtf8, ok, toBase64Url, toHex, utf8 } from '../../base'
import { canonicalBytes } from '../encoding/canonical-json'
import type { Credential } from '../credentials/credential'
import { decodeCredential } from '../credentials/decode'
import type { RecoverySecret } from './recovery-phrase'
import { recoverySecretFromBytes } from './recovery-phrase'

const FILE_FORMAT = 'commonplace-identity'
const FILE_VERSION = 1
export const PBKDF2_ITERATIONS = 600_000
/** Refused above this: a hostile file must not make the import spin for minutes. */
const MAX_ITERATIONS = 10_000_000
const MAX_FILE_CHARS = 4 * 1024 * 1024
export const MIN_PASSWORD_LENGTH = 8

export interface IdentityBackup {
  readonly secret: RecoverySecret
  readonly credentials: readonly Credential[]
}

export class WeakPassword extends AppError<'weak-password'> {
  constructor() {
    super('weak-password', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`)
  }
}
export class WrongPassword extends AppError<'wrong-password'> {
  constructor() {
    super('wrong-password', 'the password does not open this file')
  }
}
export class IdentityFileDamaged extends AppError<'identity-file-damaged'> {
  constructor(detail: string) {
    super('identity-file-damaged', `the identity file is damaged: ${detail}`)
  }
}
class IdentityFileUnsupported extends AppError<'identity-file-unsupported'> {
  constructor(detail: string) {
    super('identity-file-unsupported', `not an identity file this app can read: ${detail}`)
  }
}
export type IdentityFileError = WrongPassword | IdentityFileDamaged | IdentityFileUnsupported

const bytes = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.transform(fromBase64Url),
    v.check((value) => value !== undefined && value.length >= min && value.length <= max),
    v.transform((value) => value ?? new Uint8Array()),
  )

const envelope = v.strictObject({
  format: v.literal(FILE_FORMAT),
  version: v.literal(FILE_VERSION),
  kdf: v.strictObject({
    name: v.literal('PBKDF2-SHA-256'),
    iterations: v.pipe(v.number(), v.safeInteger(), v.minValue(PBKDF2_ITERATIONS), v.maxValue(MAX_ITERATIONS)),
    salt: bytes(16, 64),
  }),
  cipher: v.strictObject({ name: v.literal('AES-GCM'), iv: bytes(12, 12) }),
  check: bytes(16, 16),
  ciphertext: bytes(17, MAX_FILE_CHARS),
})
const header = v.looseObject({ format: v.string(), version: v.unknown() })
const payload = v.strictObject({
  secret: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/)),
  credentials: v.array(v.unknown()),
})

interface Keys {
  readonly aes: CryptoKey
  readonly check: Uint8Array
}

const deriveKeys = async (password: string, salt: Uint8Array, iterations: number): Promise<Keys> => {
  const base = await crypto.subtle.importKey('raw', utf8(password) as BufferSource, 'PBKDF2', false, ['deriveBits'])
  const bits = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
      base,
      512,
    ),
  )
  const aes = await crypto.subtle.importKey('raw', bits.subarray(0, 32), 'AES-GCM', false, ['encrypt', 'decrypt'])
  return { aes, check: bits.slice(32, 48) }
}

const additionalData = (iterations: number, salt: Uint8Array, iv: Uint8Array, check: Uint8Array): Uint8Array =>
  canonicalBytes({
    format: FILE_FORMAT,
    version: FILE_VERSION,
    kdf: { name: 'PBKDF2-SHA-256', iterations, salt: toBase64Url(salt) },
    cipher: { name: 'AES-GCM', iv: toBase64Url(iv) },
    check: toBase64Url(check),
  })

export const writeIdentityFile = async (
  backup: IdentityBackup,
  password: string,
): Promise<Result<string, WeakPassword>> => {
  if (password.length < MIN_PASSWORD_LENGTH) return err(new WeakPassword())
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const keys = await deriveKeys(password, salt, PBKDF2_ITERATIONS)
  const plaintext = canonicalBytes({ secret: toHex(backup.secret), credentials: backup.credentials })
  const aad = additionalData(PBKDF2_ITERATIONS, salt, iv, keys.check)
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: aad as BufferSource },
    keys.aes,
    plaintext as BufferSource,
  )
  return ok(
    JSON.stringify(
      {
        format: FILE_FORMAT,
        version: FILE_VERSION,
        kdf: { name: 'PBKDF2-SHA-256', iterations: PBKDF2_ITERATIONS, salt: toBase64Url(salt) },
        cipher: { name: 'AES-GCM', iv: toBase64Url(iv) },
        check: toBase64Url(keys.check),
        ciphertext: toBase64Url(new Uint8Array(sealed)),
      },
      null,
      2,
    ),
  )
}

/** The file up to the key derivation: what a file costs before its password is tried. Exported for its fuzz test. */
export const parseEnvelope = (text: string): Result<v.InferOutput<typeof envelope>, IdentityFileError> => {
  if (text.length > MAX_FILE_CHARS) return err(new IdentityFileDamaged('too large'))
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return err(new IdentityFileUnsupported('not JSON'))
  }
  const head = v.safeParse(header, value)
  if (!head.success || head.output.format !== FILE_FORMAT) return err(new IdentityFileUnsupported('no identity header'))
  if (head.output.version !== FILE_VERSION)
    return err(new IdentityFileUnsupported(`version ${String(head.output.version)}`))
  const parsed = v.safeParse(envelope, value)
  return parsed.success ? ok(parsed.output) : err(new IdentityFileDamaged(v.summarize(parsed.issues)))
}

/** Opens a file written by `writeIdentityFile`. Touches no storage: the caller decides what to keep. */
export const readIdentityFile = async (
  text: string,
  password: string,
): Promise<Result<IdentityBackup, IdentityFileError>> => {
  const parsed = parseEnvelope(text)
  if (!parsed.ok) return parsed
  const { kdf, cipher, check, ciphertext } = parsed.value
  const keys = await deriveKeys(password, kdf.salt, kdf.iterations)
  if (!bytesEqual(keys.check, check)) return err(new WrongPassword())
  let plaintext: Uint8Array
  try {
    const aad = additionalData(kdf.iterations, kdf.salt, cipher.iv, check)
    const params = { name: 'AES-GCM', iv: cipher.iv as BufferSource, additionalData: aad as BufferSource }
    plaintext = new Uint8Array(await crypto.subtle.decrypt(params, keys.aes, ciphertext as BufferSource))
  } catch {
    return err(new IdentityFileDamaged('the contents do not authenticate'))
  }
  return decodePayload(plaintext)
}

/** What a file holds once it authenticated (a file made with a known password may hold anything). Exported for its fuzz test. */
export const decodePayload = (plaintext: Uint8Array): Result<IdentityBackup, IdentityFileDamaged> => {
  let value: unknown
  try {
    value = JSON.parse(fromUtf8(plaintext))
  } catch {
    return err(new IdentityFileDamaged('the contents are not JSON'))
  }
  const parsed = v.safeParse(payload, value)
  if (!parsed.success) return err(new IdentityFileDamaged(v.summarize(parsed.issues)))
  const secret = recoverySecretFromBytes(fromHex(parsed.output.secret) ?? new Uint8Array())
  if (secret === undefined) return err(new IdentityFileDamaged('no recovery secret'))
  const credentials: Credential[] = []
  for (const item of parsed.output.credentials) {
    const decoded = decodeCredential(item)
    if (!decoded.ok) return err(new IdentityFileDamaged(`a credential: ${decoded.error.message}`))
    credentials.push(decoded.value)
  }
  return ok({ secret, credentials })
}
