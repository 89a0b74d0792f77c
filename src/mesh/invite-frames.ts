/**
 * The frames of an invitation room's `cp.invite` channel, after the handshake (ctx `invite`): the guest says
 * hello until the host offers, the host offers what the guest shows ("Ada invited you to Garden plans"), the
 * guest accepts with its admission signed by the invite key, the host welcomes it into the space swarm or says
 * why not. The client runs both sides; the schema is here, beside the link frames'.
 */
import * as v from 'valibot'
import { readJsonFrame } from './json-frame'

export const INVITE_CHANNEL = 'cp.invite'

/** An offer carries two credentials and up to 64 heads; a welcome a URL and a secret. */
const MAX_FRAME_BYTES = 64 * 1024

const HEX_ID = /^[0-9a-f]{64}$/
const B64URL_32 = /^[A-Za-z0-9_-]{43}$/
const CODE = /^[a-z][a-z-]{0,31}$/
const ROLE = v.picklist(['owner', 'admin', 'editor', 'viewer'])

const helloFrame = v.strictObject({ v: v.literal(1), t: v.literal('hello') })
const offerFrame = v.strictObject({
  v: v.literal(1),
  t: v.literal('offer'),
  /** The space's name as the host reads it (the link leaves it out). */
  spaceName: v.pipe(v.string(), v.maxLength(200)),
  role: ROLE,
  /** The DelegatedInvitation (the guest checks its subject is the link's invite key). */
  delegation: v.unknown(),
  /** The inviter's signed Profile credential, or null. */
  profile: v.unknown(),
  /** The host's membership heads: the parents of the guest's admission. */
  heads: v.pipe(v.array(v.pipe(v.string(), v.regex(HEX_ID))), v.maxLength(64)),
})
const acceptFrame = v.strictObject({ v: v.literal(1), t: v.literal('accept'), member: v.unknown() })
const welcomeFrame = v.strictObject({
  v: v.literal(1),
  t: v.literal('welcome'),
  rootUrl: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  generation: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 31 - 1)),
  /** The space swarm's current secret, base64url: only ever inside this authenticated channel. */
  secret: v.pipe(v.string(), v.regex(B64URL_32)),
})
const refusedFrame = v.strictObject({
  v: v.literal(1),
  t: v.literal('refused'),
  code: v.pipe(v.string(), v.regex(CODE)),
})

const frameSchema = v.variant('t', [helloFrame, offerFrame, acceptFrame, welcomeFrame, refusedFrame])
export type InviteFrame = v.InferOutput<typeof frameSchema>
export type InviteWelcome = v.InferOutput<typeof welcomeFrame>
export type InviteOffer = v.InferOutput<typeof offerFrame>

/** One frame from the remote, or undefined for anything else (too big, not JSON, not a frame): it is ignored. */
export const readInviteFrame = (data: unknown): InviteFrame | undefined =>
  readJsonFrame(data, frameSchema, MAX_FRAME_BYTES)

export const writeInviteFrame = (frame: InviteFrame): string => JSON.stringify(frame)
