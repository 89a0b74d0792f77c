/**
 * Rare events of a machine that runs on its own (the mesh's links, restarts, refusals), told to whoever listens:
 * the app writes them to the console at debug level (hidden in a browser's default view), and the e2e suite prints
 * a failed test's pages' last ones, so a sync that stopped in CI says where. Fields are short and secret-free: ids
 * cut to a few characters, counts, codes.
 */
export type Trace = (event: string, fields?: Readonly<Record<string, string | number | boolean>>) => void

export const noTrace: Trace = () => undefined

/** Keys a `tracedCount` keeps (they name peers, which come and go): beyond, the oldest is forgotten. */
const MAX_COUNTED_KEYS = 256

/**
 * Counts an event and tells `trace` only at the 1st, 2nd, 4th, 8th… time: a flood of 10,000 dropped frames is 14
 * lines, and a single drop still shows. At most `MAX_COUNTED_KEYS` keys are kept, so peers met by the thousand cost
 * no more.
 */
export const tracedCount = (trace: Trace, event: string) => {
  const counts = new Map<string, number>()
  return (key: string, fields: Readonly<Record<string, string | number | boolean>> = {}): void => {
    const count = (counts.get(key) ?? 0) + 1
    counts.delete(key)
    counts.set(key, count)
    if (counts.size > MAX_COUNTED_KEYS) counts.delete(counts.keys().next().value ?? key)
    if ((count & (count - 1)) === 0) trace(event, { ...fields, key, count })
  }
}

/** An id (a Repo's, a device key) cut to its last 6 characters: enough to tell peers apart in a trace. */
export const shortId = (id: string): string => id.slice(-6)

/** A trace line's fields as JSON, each string cut to 64 characters (a page id is whatever a relay said it is). */
export const traceFields = (fields: Readonly<Record<string, string | number | boolean>> = {}): string =>
  JSON.stringify(fields, (_key, value: unknown) => (typeof value === 'string' ? value.slice(0, 64) : value))
