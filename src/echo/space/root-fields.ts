/**
 * A peer writes a space root too, so a field read in a change listener may hold anything: `null`, a string, an
 * array. These readers turn junk into the empty value so a listener never throws (one that throws makes every
 * listener after it on the handle deaf).
 */

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `value` when it is a plain record, else `{}` (its entries are still the peer's: check each before use). */
export const recordIn = <T extends object>(value: T | null | undefined): T => (isRecord(value) ? value : ({} as T))

/** The keys of `value` when it is a plain record, else none. */
export const keysIn = (value: unknown): string[] => (isRecord(value) ? Object.keys(value) : [])

/**
 * Characters that show nothing or change how the text around them reads: control characters, and the
 * bidirectional marks, embeddings, overrides and isolates ("\u202Egnp.exe" reads "exe.png").
 */
const HIDDEN_OR_REORDERING = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu

/**
 * A space's name as a member wrote it, fit to keep in the space list and show: '' unless a string, without the
 * characters above, and at most `max` characters (a space file's limit).
 */
export const spaceNameIn = (value: unknown, max: number): string =>
  typeof value === 'string' ? value.replace(HIDDEN_OR_REORDERING, '').slice(0, max) : ''
