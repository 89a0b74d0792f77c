/**
 * The frames of an invitation room's `cp.invite` channel, after the handshake (ctx `invite`): the guest says
 * hello until the host offers, the host offers what the guest shows ("Ada invited you to Garden plans"), the
 * guest accepts with its admission signed by the invite key, the host welcomes it into the space swarm or says
 * why not. The client runs both sides; the schema is here, beside the link frames'.
 */
import * as v from 'valibot'
import { readJsonFrame } from './json-frame'

export const INVITE_CHANNEL = 'cp.invite'

/** A guest's frames: a hello, or an admission (one credential). */
const MAX_GUEST_FRAME_BYTES = 64 * 1024
/**
 * A host's offer carries the space's membership log, which the guest folds itself before it believes a word of
 * it: at most `MAX_LOG_ENTRIES` entries in a frame of at most 2 MiB (an entry with its chain is 1-2 KB).
 */
const MAX_HOST_FRAME_BYTES = 2 * 1024 * 1024
export const MAX_LOG_ENTRIES = 1_500

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
  /** The space's membership log as the host holds it: the guest's proof that the host may admit it. */
  log: v.pipe(v.array(v.unknown()), v.maxLength(MAX_LOG_ENTRIES)),
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
  /** Why not; no log (review 13 G8: a dead link's holder learns nothing of the space), so the guest cannot check it. */
  code: v.pipe(v.string(), v.regex(CODE)),
})

const guestFrames = v.variant('t', [helloFrame, acceptFrame])
const hostFrames = v.variant('t', [offerFrame, welcomeFrame, refusedFrame])
export type InviteFrame = v.InferOutput<typeof guestFrames> | v.InferOutput<typeof hostFrames>
export type InviteWelcome = v.InferOutput<typeof welcomeFrame>
export type InviteOffer = v.InferOutput<typeof offerFrame>
export type InviteRefusal = v.InferOutput<typeof refusedFrame>

/**
 * One frame from the remote, by what the remote is in this room, or undefined for anything else (too big, not
 * JSON, not a frame such a remote sends): it is ignored.
 */
export const readInviteFrame = (
  data: unknown,
  from: 'guest' | 'host',
): v.InferOutput<typeof guestFrames> | v.InferOutput<typeof hostFrames> | undefined =>
  from === 'guest'
    ? readJsonFrame(data, guestFrames, MAX_GUEST_FRAME_BYTES)
    : readJsonFrame(data, hostFrames, MAX_HOST_FRAME_BYTES)

export const writeInviteFrame = (frame: InviteFrame): string => JSON.stringify(frame)
