import * as v from 'valibot'

/**
 * How one relay treats us, as the settings screen says it. `connecting`: no socket open yet; `connected`: open, and
 * nothing refused; `slowed`: it answered an event with `OK false "rate-limited:"` (Trystero backs off and tries
 * again); `refused`: it sent `CLOSED` or another `OK false`, and Trystero dropped it for the rest of the page
 * session; `unreachable`: its socket closed (Trystero dials again, backing off).
 */
const RELAY_STATES = ['connecting', 'connected', 'slowed', 'refused', 'unreachable'] as const
type RelayState = (typeof RELAY_STATES)[number]

/** A relay's reason text is shown at most this long. */
export const MAX_REASON = 200
/** Frames longer than this are not parsed here (Trystero parses them itself): they count as junk. */
export const MAX_READ_FRAME = 256 * 1024

export const relayStatusSchema = v.strictObject({
  url: v.pipe(v.string(), v.maxLength(2048)),
  state: v.picklist(RELAY_STATES),
  reason: v.optional(v.pipe(v.string(), v.maxLength(MAX_REASON))),
  /** Frames it sent that were not a relay message we read (not JSON, not a list, or over `MAX_READ_FRAME`). */
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

/** Relay text to show: control characters out, at most `MAX_REASON` characters. */
const cleanReason = (value: unknown): string => {
  if (typeof value !== 'string') return ''
  let text = ''
  for (const char of value.slice(0, MAX_REASON)) {
    const code = char.charCodeAt(0)
    text += code < 0x20 || (code >= 0x7f && code <= 0x9f) ? ' ' : char
  }
  return text.slice(0, MAX_REASON)
}

/**
 * Reads one frame as Trystero's Nostr strategy judges it: `CLOSED`, or `OK false` other than `rate-limited:` and
 * `duplicate:`, makes it drop the relay; `OK false "rate-limited:"` makes it back off. Attacker bytes: the size is
 * checked before parsing, and nothing throws.
 */
export const readRelayFrame = (data: unknown): RelayFrame => {
  if (typeof data !== 'string' || data.length > MAX_READ_FRAME) return { kind: 'junk' }
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    return { kind: 'junk' }
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') return { kind: 'junk' }
  const [type, , second, third] = parsed as unknown[]
  if (type === 'CLOSED') return { kind: 'refused', reason: cleanReason(second) }
  if (type === 'OK' && second === false) {
    const reason = cleanReason(third)
    if (reason.startsWith('rate-limited:')) return { kind: 'slowed', reason }
    if (reason.startsWith('duplicate:')) return { kind: 'fine' }
    return { kind: 'refused', reason }
  }
  return { kind: 'fine' }
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
