/**
 * The frames of a device link room's `cp.link` channel, after the handshake (the client runs the link). Valibot
 * lives below the client, so the frames' schema is here.
 */
import * as v from 'valibot'
import { readJsonFrame } from './json-frame'

/** A device name as HALO signs it (a DeviceName credential); the client's limit is the same. */
const DEVICE_NAME_MAX = 64

/** The channel of a link room; Trystero reserves names starting with `@_`. */
export const LINK_CHANNEL = 'cp.link'

/** Every frame is a string of at most this many UTF-8 bytes; the welcome (credentials) is the big one. */
const MAX_FRAME_BYTES = 256 * 1024

const HEX_KEY = /^[0-9a-f]{64}$/
const B64URL_32 = /^[A-Za-z0-9_-]{43}$/
const key = v.pipe(v.string(), v.regex(HEX_KEY))
const bounded = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max))

/** B → A: B is listening; A answers with the profile. Sent again until it comes, as either side may hear the
 * other some time after it was let in. */
const helloFrame = v.strictObject({ v: v.literal(1), t: v.literal('hello') })
/** A → B: who the identity is, as a signed Profile credential B checks against the link's identity key. */
const profileFrame = v.strictObject({ v: v.literal(1), t: v.literal('profile'), profile: v.unknown() })
/** B → A: the name the new device gives itself. */
const requestFrame = v.strictObject({
  v: v.literal(1),
  t: v.literal('request'),
  deviceName: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(DEVICE_NAME_MAX)),
})
/** A → B after Allow: everything B needs to hold a linked identity and open the personal space. */
const welcomeFrame = v.strictObject({
  v: v.literal(1),
  t: v.literal('welcome'),
  identityKey: key,
  chain: v.unknown(),
  credentials: v.pipe(v.array(v.unknown()), v.maxLength(4096)),
  personal: v.strictObject({
    spaceId: key,
    rootUrl: bounded(256),
    /** The personal swarm's current generation and its secret, base64url; only ever inside this authenticated channel. */
    generation: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 31 - 1)),
    secret: v.pipe(v.string(), v.regex(B64URL_32)),
  }),
})
/** A → B after Deny. */
const deniedFrame = v.strictObject({ v: v.literal(1), t: v.literal('denied') })
/** B → A: the welcome is stored; A may leave the room. */
const storedFrame = v.strictObject({ v: v.literal(1), t: v.literal('stored') })

const frameSchema = v.variant('t', [helloFrame, profileFrame, requestFrame, welcomeFrame, deniedFrame, storedFrame])
export type LinkFrame = v.InferOutput<typeof frameSchema>
export type WelcomeFrame = v.InferOutput<typeof welcomeFrame>

/** One frame from the remote, or undefined for anything else (too big, not JSON, not a frame): it is ignored. */
export const readLinkFrame = (data: unknown): LinkFrame | undefined => readJsonFrame(data, frameSchema, MAX_FRAME_BYTES)

export const writeLinkFrame = (frame: LinkFrame): string => JSON.stringify(frame)
