/**
 * The payload of a join link (issue 11 plan): base64url, no padding, of
 * `version 0x01 | kind | key (32) | K (32) | expiresAt (u32 BE, unix seconds)` = 70 bytes.
 * Kind 0x02 is a device link (key = the identity key); kind 0x01 is a space invitation (key = the space key, issue
 * 12; the space's name stays out of the link, since links get pasted into chats). Every byte is a stranger's.
 */
import { base64urlnopad } from '@scure/base'
import type { Result } from '../../base'
import { AppError, err, ok, toHex } from '../../base'
import { isAcceptablePublicKey } from '../keys/ed25519'
import type { IdentityKey, PublicKey } from '../keys/keys'
import { publicKeyToBytes } from '../keys/keys'

const VERSION = 0x01
const KIND_SPACE = 0x01
const KIND_DEVICE = 0x02
const PAYLOAD_LENGTH = 70
const MAX_INPUT_LENGTH = 512
const FRAGMENT = '#/join/'
const BASE64URL = /^[A-Za-z0-9_-]+$/
const MAX_U32 = 0xffff_ffff

export interface DeviceLink {
  readonly kind: 'device'
  readonly identityKey: IdentityKey
  readonly secret: Uint8Array
  /** Unix milliseconds (whole seconds on the wire). */
  readonly expiresAt: number
}

/** An invitation to a space; `spaceId` is the space key (64 hex). */
export interface SpaceLink {
  readonly kind: 'space'
  readonly spaceId: PublicKey
  readonly secret: Uint8Array
  /** Unix milliseconds (whole seconds on the wire): the invitation's `until`, for words before anyone is met. */
  readonly expiresAt: number
}

export type JoinLink = DeviceLink | SpaceLink

export type LinkRefusedCode = 'malformed-link' | 'unsupported-link' | 'wrong-kind'

export class LinkRefused extends AppError<LinkRefusedCode> {}

const encode = (kind: number, key: PublicKey, secret: Uint8Array, expiresAt: number): string => {
  const seconds = Math.floor(expiresAt / 1000)
  if (secret.length !== 32) throw new RangeError('a link secret is 32 bytes')
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_U32) throw new RangeError('expiry out of range')
  const bytes = new Uint8Array(PAYLOAD_LENGTH)
  bytes[0] = VERSION
  bytes[1] = kind
  bytes.set(publicKeyToBytes(key), 2)
  bytes.set(secret, 34)
  new DataView(bytes.buffer).setUint32(66, seconds)
  return base64urlnopad.encode(bytes)
}

/** The payload of a device link; `expiresAt` in unix milliseconds, rounded down to the second. */
export const encodeDeviceLink = (link: Omit<DeviceLink, 'kind'>): string =>
  encode(KIND_DEVICE, link.identityKey, link.secret, link.expiresAt)

/** The payload of a space invitation; `expiresAt` in unix milliseconds, rounded down to the second. */
export const encodeSpaceLink = (link: Omit<SpaceLink, 'kind'>): string =>
  encode(KIND_SPACE, link.spaceId, link.secret, link.expiresAt)

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
  if (bytes[1] !== KIND_DEVICE && bytes[1] !== KIND_SPACE) return malformed('a link of an unknown kind')
  const key = bytes.slice(2, 34)
  if (!isAcceptablePublicKey(key)) return malformed('the link names no acceptable key')
  const secret = bytes.slice(34, 66)
  const expiresAt = new DataView(bytes.buffer, bytes.byteOffset).getUint32(66) * 1000
  return ok(
    bytes[1] === KIND_DEVICE
      ? { kind: 'device', identityKey: toHex(key) as IdentityKey, secret, expiresAt }
      : { kind: 'space', spaceId: toHex(key) as PublicKey, secret, expiresAt },
  )
}

/** A decoded link of the one kind the caller reads; any other kind is `wrong-kind` (a device link on the
 * invitation screen, or the reverse). */
export const decodeJoinLinkOf = <K extends JoinLink['kind']>(
  kind: K,
  text: string,
): Result<Extract<JoinLink, { kind: K }>, LinkRefused> => {
  const decoded = decodeJoinLink(text)
  if (!decoded.ok) return decoded
  if (decoded.value.kind !== kind) return err(new LinkRefused('wrong-kind', `not a ${kind} link`))
  return ok(decoded.value as Extract<JoinLink, { kind: K }>)
}
