import * as v from 'valibot'
import { toBase64Url, utf8 } from '../../base'

/** Limits checked on the raw text before any parsing. */
export const MAX_ROOM_KEY_BYTES = 128
export const MAX_HELLO_BYTES = 4 * 1024
export const MAX_PROOF_BYTES = 64 * 1024
/** A reject or a done message; evidence (verified credentials) may need room. */
export const MAX_CONTROL_BYTES = 64 * 1024

const HEX_KEY = /^[0-9a-f]{64}$/
const HEX_SIGNATURE = /^[0-9a-f]{128}$/
/** 32 bytes in base64url without padding: a nonce, a room key proof. */
const BYTES_32 = /^[A-Za-z0-9_-]{43}$/
const CODE = /^[a-z][a-z-]{0,31}$/

const key = v.pipe(v.string(), v.regex(HEX_KEY))
const bounded = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max))

/** The first frame each way: the proof that the sender holds the room's password (halo's `roomKeyProof`). */
export const roomKeySchema = v.strictObject({ v: v.literal(1), key: v.pipe(v.string(), v.regex(BYTES_32)) })

export const helloSchema = v.strictObject({
  v: v.literal(1),
  ctx: bounded(256),
  peer: bounded(64),
  nonce: v.pipe(v.string(), v.regex(BYTES_32)),
  repo: bounded(256),
  /** The sender's storage (`hex(sha256(...))`, client's device-storage.ts): the key its sync state is kept under. */
  storage: v.nullable(key),
  identity: v.nullable(key),
  device: key,
})
export type Hello = v.InferOutput<typeof helloSchema>

export const proofSchema = v.strictObject({
  v: v.literal(1),
  /** The sender's AuthorizedDevice credential; its shape is halo's to judge. */
  chain: v.nullable(v.unknown()),
  sig: v.pipe(v.string(), v.regex(HEX_SIGNATURE)),
  inviteSig: v.optional(v.pipe(v.string(), v.regex(HEX_SIGNATURE))),
})

const rejectSchema = v.strictObject({
  v: v.literal(1),
  reject: v.pipe(v.string(), v.regex(CODE)),
  evidence: v.optional(v.unknown()),
})
type Reject = v.InferOutput<typeof rejectSchema>

const doneSchema = v.strictObject({ v: v.literal(1), done: v.literal(true) })

/** What one received frame turned out to be. */
export type Frame<T> =
  | { readonly kind: 'message'; readonly value: T }
  | { readonly kind: 'reject'; readonly value: Reject }
  | { readonly kind: 'malformed' }

/** Reads one frame: a string of at most `maxBytes` UTF-8 bytes holding `schema` or a reject. */
export const readFrame = <T>(data: unknown, schema: v.GenericSchema<unknown, T>, maxBytes: number): Frame<T> => {
  // Characters never outnumber UTF-8 bytes, so the cheap check first keeps a huge frame from being encoded.
  if (typeof data !== 'string' || data.length > maxBytes || utf8(data).length > maxBytes) return { kind: 'malformed' }
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return { kind: 'malformed' }
  }
  const reject = v.safeParse(rejectSchema, json)
  if (reject.success) return { kind: 'reject', value: reject.output }
  const message = v.safeParse(schema, json)
  return message.success ? { kind: 'message', value: message.output } : { kind: 'malformed' }
}

export const doneMessage = doneSchema

/** `cp1.<device hex>.<random>`: the repo id of one tab of one device. */
const REPO = /^cp1\.([0-9a-f]{64})\.[A-Za-z0-9_-]{8,64}$/

export const repoDevice = (repo: string): string | undefined => REPO.exec(repo)?.[1]

/** A fresh repo id for a tab of `device` (hex). */
export const newRepoId = (device: string): string => {
  const random = crypto.getRandomValues(new Uint8Array(12))
  return `cp1.${device}.${toBase64Url(random)}`
}
