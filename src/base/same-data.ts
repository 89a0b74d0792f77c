/**
 * Whether two values hold the same plain data (an index row, a sync status): plain objects, arrays and primitives,
 * compared field by field, numbers by `Object.is` (NaN is NaN, and 0 is not -0). Anything else (a Date, bytes, a
 * Map) is never the same, so a caller that skips what did not change does the work for it every time.
 */
export const sameData = (a: unknown, b: unknown): boolean => {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b)
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    // By index, not `every`: `every` skips the holes of a sparse array, and would call [, 1] the same as [2, 1].
    for (let at = 0; at < a.length; at++) if (!sameData(a[at], b[at])) return false
    return true
  }
  if (!isPlain(a) || !isPlain(b)) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => Object.hasOwn(b, key) && sameData(a[key], b[key]))
}

const isPlain = (value: object): value is Record<string, unknown> => {
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
