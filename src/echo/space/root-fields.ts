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
