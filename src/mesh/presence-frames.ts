/**
 * Which notes a peer has open: the frames of a space room's `cp.open` channel, and the messages the tabs of a
 * profile exchange about it. Valibot lives below the client, so both schemas are here.
 */
import * as v from 'valibot'
import { readJsonFrame } from './json-frame'

/** The channel beside `cp.am` on a space room; Trystero reserves names starting with `@_`. */
export const OPEN_CHANNEL = 'cp.open'

/** A person has a few notes open (one per tab); more is not presence, and is refused whole. */
export const MAX_OPEN = 8
/** `{"v":1,"open":[8 × 34 bytes]}` is under 300 bytes: anything past 1 KiB is not a frame of ours. */
const MAX_FRAME_BYTES = 1024

/** ECHO's object id (32 hex); the client checks each against the space's objects too. */
const objectId = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/))
const openList = v.pipe(v.array(objectId), v.maxLength(MAX_OPEN), v.readonly())
const openFrame = v.strictObject({ v: v.literal(1), open: openList })

/** The object ids a peer says it has open, or undefined for anything else (too big, not JSON, not a frame). */
export const readOpenFrame = (data: unknown): readonly string[] | undefined =>
  readJsonFrame(data, openFrame, MAX_FRAME_BYTES)?.open

export const writeOpenFrame = (open: readonly string[]): string =>
  JSON.stringify({ v: 1, open: open.slice(0, MAX_OPEN) })

const key = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))
const tab = v.pipe(v.string(), v.maxLength(64))
/** Spaces a tab or a person is in, by space id; a profile has far fewer open at once. */
const bySpace = <T extends v.GenericSchema>(item: T) =>
  v.pipe(
    v.record(key, item),
    v.check((spaces) => Object.keys(spaces).length <= 256),
  )
const here = v.strictObject({ identity: key, device: key, open: openList })
const tabMessage = v.variant('type', [
  /** A tab's own open notes, again on every beat; `closed` when it goes. */
  v.strictObject({ type: v.literal('open'), tab, spaces: bySpace(openList) }),
  v.strictObject({ type: v.literal('closed'), tab }),
  /** The leader: each space's remote devices present now, with what they have open. */
  v.strictObject({ type: v.literal('here'), spaces: bySpace(v.pipe(v.array(here), v.maxLength(1000), v.readonly())) }),
  /** A tab that opened, or a new leader: every tab answers with what it knows. */
  v.strictObject({ type: v.literal('ask') }),
])
/** What the tabs of a profile say on the `presence` tab channel. */
export type PresenceTabMessage = v.InferOutput<typeof tabMessage>

/** Checks a message from another tab: strict objects, bounded strings and lists; anything else is refused. */
export const isPresenceTabMessage = (data: unknown): data is PresenceTabMessage => v.is(tabMessage, data)
