import * as v from 'valibot'

/**
 * How one relay treats us, as the settings screen says it. `connecting`: no socket open yet; `connected`: open, and
 * nothing refused; `slowed`: it answered an event with `OK false "rate-limited:"` (Trystero backs off and tries
 * again); `refused`: it sent `CLOSED` or another `OK false`, and Trystero dropped it for the rest of the page
 * session; `unreachable`: its socket closed (Trystero dials again, backing off, and gives up after five failed
 * redials in a row without saying so: the state cannot tell which).
 */
const RELAY_STATES = ['connecting', 'connected', 'slowed', 'refused', 'unreachable'] as const
type RelayState = (typeof RELAY_STATES)[number]

/** A relay's reason text is shown at most this long (UTF-16 code units, never half a character). */
export const MAX_REASON = 200
/**
 * Frames longer than this are parsed here only if they begin as a `CLOSED` or an `OK` (the frames that change what
 * Trystero does with the relay) or an `EVENT` (which Trystero hands to the room whatever its size, so it is no
 * junk); Trystero parses every frame whole, so this at most doubles its cost. The others count as junk.
 */
export const MAX_READ_FRAME = 256 * 1024

/** Relay text: controls and line breaks become spaces, format characters are dropped (`cleanReason`). */
const SPACED = /[\p{Cc}\p{Zl}\p{Zp}]/gu
/** Bidi overrides and isolates, zero-width and other format characters, lone surrogate halves, private use. */
const DROPPED = /[\p{Cf}\p{Cs}\p{Co}]/gu
/** Raw text read for a reason: enough for `MAX_REASON` characters once a few dozen are dropped. */
const MAX_RAW_REASON = 4 * MAX_REASON
/** Combining marks past the second on one character: 200 of them stack out of the line ("zalgo"). */
const STACKED = /(\p{Mn}|\p{Me})(\p{Mn}|\p{Me})[\p{Mn}\p{Me}]+/gu

/**
 * A relay's words, safe to show as a quote inside the app's own sentence: nothing that reorders or hides text
 * (U+202E, U+2066-2069, U+200B and the like), no line breaks, runs of spaces as one, at most 2 combining marks in
 * a row, at most `MAX_REASON` code units, cut between characters. `cleanReason(cleanReason(x)) === cleanReason(x)`.
 */
export const cleanReason = (raw: string): string => {
  const text = raw
    .slice(0, MAX_RAW_REASON)
    .replace(SPACED, ' ')
    .replace(DROPPED, '')
    .replace(STACKED, '$1$2')
    .replace(/\s+/gu, ' ')
    .trim()
  let kept = ''
  for (const char of text) {
    if (kept.length + char.length > MAX_REASON) break
    kept += char
  }
  return kept.trimEnd()
}

export const relayStatusSchema = v.strictObject({
  url: v.pipe(v.string(), v.maxLength(2048)),
  state: v.picklist(RELAY_STATES),
  // Another tab's status is shown as is: its reason must already be clean.
  reason: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(MAX_REASON),
      v.check((reason) => cleanReason(reason) === reason),
    ),
  ),
  /**
   * Frames it sent that changed nothing: not JSON, not a list, over `MAX_READ_FRAME` and not a `CLOSED`, `OK` or
   * `EVENT`, or an
   * `OK false` whose reason is neither text nor absent (Trystero throws on it).
   */
  junk: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
})

/** One relay's status, as the leader tab shares it. */
export type RelayStatus = v.InferOutput<typeof relayStatusSchema>

/** What one frame from a relay says about it. */
type RelayFrame =
  | { readonly kind: 'fine' }
  | { readonly kind: 'junk' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'slowed'; readonly reason: string }

const JUNK: RelayFrame = { kind: 'junk' }

/** JSON's whitespace, then `[`, then the first element if it is a short string (escapes allowed), still encoded. */
const FRAME_START = /^[ \t\n\r]*\[[ \t\n\r]*("(?:[^"\\]|\\.){0,32}")/

/** The type a frame names in its first element, read from its start only (`"\u0043LOSED"` is `CLOSED`). */
const typeAtStart = (data: string): unknown => {
  // Linear: JSON allows any run of whitespace first, and Trystero skips it too.
  const encoded = FRAME_START.exec(data)?.[1]
  if (encoded === undefined) return undefined
  try {
    return JSON.parse(encoded)
  } catch {
    return undefined
  }
}

/**
 * Reads one frame as Trystero's Nostr strategy judges it (`@trystero-p2p/nostr`, `joinRoom`'s message handler):
 * `CLOSED` with anything after it makes it drop the relay (its reason is the third element if text, else the
 * fourth); `OK false` makes it back off if the reason starts `rate-limited:`, ignore it if `duplicate:`, and drop
 * the relay otherwise, also when the reason is absent or null. A reason of any other kind (a number, a list) makes
 * Trystero's `startsWith` throw, and the frame changes nothing: junk. Attacker bytes: the size is checked before
 * parsing, and nothing throws.
 */
export const readRelayFrame = (data: unknown): RelayFrame => {
  if (typeof data !== 'string') return JUNK
  if (data.length > MAX_READ_FRAME) {
    const type = typeAtStart(data)
    if (type !== 'CLOSED' && type !== 'OK' && type !== 'EVENT') return JUNK
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    return JUNK
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') return JUNK
  const [type, , payload, message] = parsed as unknown[]
  if (type === 'CLOSED') {
    const said = typeof payload === 'string' ? payload : message
    return { kind: 'refused', reason: typeof said === 'string' ? cleanReason(said) : '' }
  }
  if (type !== 'OK' || payload !== false) return { kind: 'fine' }
  if (message === undefined || message === null) return { kind: 'refused', reason: '' }
  if (typeof message !== 'string') return JUNK
  // Judged on the relay's own text, as Trystero does; cleaned only to be shown.
  if (message.startsWith('rate-limited:')) return { kind: 'slowed', reason: cleanReason(message) }
  if (message.startsWith('duplicate:')) return { kind: 'fine' }
  return { kind: 'refused', reason: cleanReason(message) }
}

/** What happened to a relay's socket. */
export type RelayEvent = RelayFrame | { readonly kind: 'open' } | { readonly kind: 'close' }

/** The next status of a relay. A refusal is final: Trystero never uses that relay again in this page. */
export const nextRelayStatus = (status: RelayStatus, event: RelayEvent): RelayStatus => {
  if (status.state === 'refused') return event.kind === 'junk' ? withJunk(status) : status
  switch (event.kind) {
    case 'junk':
      return withJunk(status)
    case 'refused':
    case 'slowed':
      return withState(status, event.kind, event.reason)
    case 'fine':
      return withState(status, 'connected')
    case 'open':
      return status.state === 'slowed' ? status : withState(status, 'connected')
    case 'close':
      return withState(status, 'unreachable')
  }
}

const withJunk = (status: RelayStatus): RelayStatus => ({ ...status, junk: (status.junk ?? 0) + 1 })

const withState = (status: RelayStatus, state: RelayState, reason?: string): RelayStatus => ({
  url: status.url,
  state,
  ...(reason === undefined || reason === '' ? {} : { reason }),
  ...(status.junk === undefined ? {} : { junk: status.junk }),
})
