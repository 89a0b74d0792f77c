/**
 * Stable reason codes. Each reply that refuses something starts with one of
 * these prefixes, followed by `: ` and a sentence for people.
 *
 * Only `rate-limited` is ever sent inside `OK false`: Trystero backs off on it,
 * and drops the relay for the whole page session on any other `OK false`
 * reason or on `CLOSED`. Everything else goes out as `NOTICE`, which Trystero
 * only logs.
 */
export const Reason = {
  rateLimited: 'rate-limited',
  invalid: 'invalid',
  unsupported: 'unsupported',
  limit: 'limit',
} as const

export type Reason = (typeof Reason)[keyof typeof Reason]

/** A refusal: its `code` is stable, its `message` is for people. */
export interface Refusal {
  readonly code: Reason
  readonly message: string
}

export const refusal = (code: Reason, message: string): Refusal => ({ code, message })

export const describeRefusal = (refused: Refusal): string => `${refused.code}: ${refused.message}`
