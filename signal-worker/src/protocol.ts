import { Reason, refusal, type Refusal } from './reasons'

/**
 * Parses the subset of Nostr NIP-01 that Trystero's Nostr strategy sends
 * (REQ with a `#x` filter, CLOSE, EVENT) into typed commands. Pure: no I/O.
 */

export interface Filter {
  /** Distinct topics (`#x` values), in the order sent. */
  readonly topics: readonly string[]
  /** Kinds the subscriber asked for; `null` means any. */
  readonly kinds: readonly number[] | null
}

export type Command =
  | { readonly verb: 'REQ'; readonly subId: string; readonly filter: Filter }
  | { readonly verb: 'CLOSE'; readonly subId: string }
  | {
      readonly verb: 'EVENT'
      readonly id: string
      readonly kind: number
      readonly topic: string
      /** The event object exactly as the client wrote it, to forward byte for byte. */
      readonly raw: string
    }

export type Parsed =
  | { readonly ok: true; readonly command: Command }
  /** `eventId` is set when the frame was an EVENT whose id could be read, so a refusal can name it. */
  | { readonly ok: false; readonly refusal: Refusal; readonly eventId: string | null }

const EPHEMERAL_KINDS = { min: 20_000, max: 29_999 } as const
const MAX_ID_LENGTH = 64
const MAX_TOPIC_LENGTH = 64
/** Filter fields about stored events; nothing is stored, so they cannot change what is delivered. */
const IGNORED_FILTER_FIELDS = new Set(['since', 'until', 'limit'])
const HEX64 = /^[0-9a-f]{64}$/
const HEX128 = /^[0-9a-f]{128}$/

const fail = (code: Reason, message: string, eventId: string | null = null): Parsed => ({
  ok: false,
  refusal: refusal(code, message),
  eventId,
})

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH

const isTopic = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_TOPIC_LENGTH

const isTags = (value: unknown): value is string[][] =>
  Array.isArray(value) && value.every((tag) => Array.isArray(tag) && tag.every((part) => typeof part === 'string'))

export const parseFrame = (text: string, maxTopicsPerSubscription: number): Parsed => {
  let frame: unknown
  try {
    frame = JSON.parse(text)
  } catch {
    return fail(Reason.invalid, 'frame is not JSON')
  }
  if (!Array.isArray(frame) || typeof frame[0] !== 'string') {
    return fail(Reason.invalid, 'frame must be a JSON array that starts with a verb')
  }
  const [verb, ...args] = frame as [string, ...unknown[]]
  switch (verb) {
    case 'REQ':
      return parseReq(args, maxTopicsPerSubscription)
    case 'CLOSE':
      if (args.length !== 1 || !isId(args[0])) return fail(Reason.invalid, 'CLOSE takes one subscription id')
      return { ok: true, command: { verb: 'CLOSE', subId: args[0] } }
    case 'EVENT':
      return parseEvent(args, text)
    default:
      return fail(Reason.unsupported, `verb ${JSON.stringify(verb.slice(0, 16))} is not relayed here`)
  }
}

const parseReq = (args: unknown[], maxTopics: number): Parsed => {
  const [subId, filter] = args
  if (!isId(subId)) return fail(Reason.invalid, `subscription id must be 1-${MAX_ID_LENGTH} characters`)
  if (args.length !== 2) return fail(Reason.unsupported, 'REQ takes exactly one filter')
  if (!isRecord(filter)) return fail(Reason.invalid, 'filter must be an object')
  for (const field of Object.keys(filter)) {
    if (field !== '#x' && field !== 'kinds' && !IGNORED_FILTER_FIELDS.has(field)) {
      return fail(Reason.unsupported, `filter field ${JSON.stringify(field.slice(0, 16))}; only #x and kinds`)
    }
  }
  const topics = filter['#x']
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every(isTopic)) {
    return fail(Reason.invalid, `#x must list topics of 1-${MAX_TOPIC_LENGTH} characters`)
  }
  if (topics.length > maxTopics) return fail(Reason.limit, `at most ${maxTopics} topics in one subscription`)
  const kinds = filter.kinds
  if (kinds !== undefined && (!Array.isArray(kinds) || !kinds.every((kind) => Number.isSafeInteger(kind)))) {
    return fail(Reason.invalid, 'kinds must be a list of integers')
  }
  return {
    ok: true,
    command: { verb: 'REQ', subId, filter: { topics: [...new Set(topics)], kinds: kinds ?? null } },
  }
}

const parseEvent = (args: unknown[], text: string): Parsed => {
  const [event] = args
  if (args.length !== 1 || !isRecord(event)) return fail(Reason.invalid, 'EVENT takes one event object')
  const id = typeof event.id === 'string' && HEX64.test(event.id) ? event.id : null
  if (id === null) return fail(Reason.invalid, 'event id must be 64 lowercase hex digits')
  const { kind, tags } = event
  if (typeof kind !== 'number' || !Number.isInteger(kind) || kind < EPHEMERAL_KINDS.min || kind > EPHEMERAL_KINDS.max) {
    return fail(Reason.invalid, `only ephemeral kinds ${EPHEMERAL_KINDS.min}-${EPHEMERAL_KINDS.max} are relayed`, id)
  }
  if (
    typeof event.pubkey !== 'string' ||
    !HEX64.test(event.pubkey) ||
    typeof event.sig !== 'string' ||
    !HEX128.test(event.sig) ||
    !Number.isSafeInteger(event.created_at) ||
    typeof event.content !== 'string'
  ) {
    return fail(Reason.invalid, 'event needs pubkey, sig, created_at and content as NIP-01 says', id)
  }
  if (!isTags(tags)) return fail(Reason.invalid, 'tags must be lists of strings', id)
  const xTags = tags.filter((tag) => tag[0] === 'x')
  const topic = xTags[0]?.[1]
  if (xTags.length !== 1 || !isTopic(topic)) return fail(Reason.invalid, 'an event needs exactly one x tag', id)
  return { ok: true, command: { verb: 'EVENT', id, kind, topic, raw: rawSecondElement(text) } }
}

/**
 * The text of the event object inside `["EVENT", {...}]`, cut out of the frame
 * rather than re-serialized, so it is forwarded unchanged. The frame parsed as
 * a two-element array whose first element is a string without commas, so the
 * first comma ends the verb and the last `]` closes the array.
 */
const rawSecondElement = (text: string): string => text.slice(text.indexOf(',') + 1, text.lastIndexOf(']')).trim()
