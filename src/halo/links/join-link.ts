/**
 * The payload of a join link (issue 11 plan): base64url, no padding, of
 * `version 0x01 | kind | identityKey (32) | K (32) | expiresAt (u32 BE, unix seconds)` = 70 bytes.
 * Kind 0x02 is a device link; 0x01 (a space invitation) is reserved for issue 12. Every byte is a stranger's.
 */
import { base64urlnopad } from '@scure/base'
import type { Result } from '../../base'
import { AppError, err, ok, toHex } from '../../base'
import { isAcceptablePublicKey } from '../keys/ed25519'
import type { IdentityKey } from '../keys/keys'
import { publicKeyToBytes } from '../keys/keys'

const VERSION = 0x01
const KIND_SPACE = 0x01
const KIND_DEVICE = 0x02
const PAYLOAD_LENGTH = 70
const MAX_INPUT_LENGTH = 512
const FRAGMENT = '#/join/'
const BASE64URL = /^[A-Za-z0-9_-]+$/
const MAX_U32 = 0xffff_ffff

export interface JoinLink {
  readonly kind: 'device'
  readonly identityKey: IdentityKey
  readonly secret: Uint8Array
  /** Unix milliseconds (whole seconds on the wire). */
  readonly expiresAt: number
}

export type LinkRefusedCode = 'malformed-link' | 'unsupported-link'

export class LinkRefused extends AppError<LinkRefusedCode> {}

/** The payload of a device link; `expiresAt` in unix milliseconds, rounded down to the second. */
export const encodeDeviceLink = (link: {
  readonly identityKey: IdentityKey
  readonly secret: Uint8Array
  readonly expiresAt: number
}): string => {
  const seconds = Math.floor(link.expiresAt / 1000)
  if (link.secret.length !== 32) throw new RangeError('a link secret is 32 bytes')
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_U32) throw new RangeError('expiry out of range')
  const bytes = new Uint8Array(PAYLOAD_LENGTH)
  bytes[0] = VERSION
  bytes[1] = KIND_DEVICE
  bytes.set(publicKeyToBytes(link.identityKey), 2)
  bytes.set(link.secret, 34)
  new DataView(bytes.buffer).setUint32(66, seconds)
  return base64urlnopad.encode(bytes)
}

const malformed = (why: string): Result<never, LinkRefused> => err(new LinkRefused('malformed-link', why))

/** The payload part of a bare payload, `#/join/<payload>`, or a URL whose fragment is that. */
const payloadOf = (text: string): string => {
  const at = text.indexOf(FRAGMENT)
  return at < 0 ? text : text.slice(at + FRAGMENT.length)
}

const bytesOf = (payload: string): Uint8Array | undefined => {
  if (!BASE64URL.test(payload)) return undefined
  try {
    return base64urlnopad.decode(payload)
  } catch {
    return undefined
  }
}

export const decodeJoinLink = (text: string): Result<JoinLink, LinkRefused> => {
  if (text.length > MAX_INPUT_LENGTH) return malformed('the link is too long')
  const bytes = bytesOf(payloadOf(text.trim()))
  if (bytes === undefined) return malformed('the link is not base64url')
  if (bytes.length !== PAYLOAD_LENGTH) return malformed('the link has the wrong length')
  if (bytes[0] !== VERSION) return err(new LinkRefused('unsupported-link', 'a link of another version'))
  if (bytes[1] === KIND_SPACE) return err(new LinkRefused('unsupported-link', 'space links are not supported yet'))
  if (bytes[1] !== KIND_DEVICE) return malformed('a link of an unknown kind')
  const key = bytes.slice(2, 34)
  if (!isAcceptablePublicKey(key)) return malformed('the link names no acceptable identity key')
  const seconds = new DataView(bytes.buffer, bytes.byteOffset).getUint32(66)
  return ok({
    kind: 'device',
    identityKey: toHex(key) as IdentityKey,
    secret: bytes.slice(34, 66),
    expiresAt: seconds * 1000,
  })
}
