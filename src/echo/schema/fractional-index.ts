/**
 * Order keys for manual ordering: strings that sort like fractions 0.d1d2... in
 * base 62, so a key can always be made between two others and moving one task
 * rewrites only that task. Keys never end in the lowest digit, which keeps
 * string order and numeric order the same.
 */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const BASE = DIGITS.length

const valueOf = (digit: string | undefined): number => (digit === undefined ? 0 : DIGITS.indexOf(digit))

export const isOrderKey = (key: string): boolean => /^[0-9A-Za-z]*[1-9A-Za-z]$/.test(key)

/** A key strictly between `low` and `high` (both given as digit strings, `high` undefined meaning 1). */
const midpoint = (low: string, high: string | undefined): string => {
  if (high !== undefined) {
    let shared = 0
    while (shared < high.length && (low[shared] ?? '0') === high[shared]) shared++
    if (shared > 0) return high.slice(0, shared) + midpoint(low.slice(shared), high.slice(shared))
  }
  const lowDigit = valueOf(low[0])
  const highDigit = high === undefined ? BASE : valueOf(high[0])
  if (highDigit - lowDigit > 1) return DIGITS.charAt(Math.floor((lowDigit + highDigit) / 2))
  if (high !== undefined && high.length > 1) return high.slice(0, 1)
  return DIGITS.charAt(lowDigit) + midpoint(low.slice(1), undefined)
}

/**
 * A key that sorts after `before` and before `after` (either may be missing for
 * the ends). When two peers gave two items the same key, `before >= after`: the
 * new key then goes just after `before` and ties sort by object id.
 */
export const orderBetween = (before?: string, after?: string): string => {
  const low = before ?? ''
  if (after !== undefined && after > low) return midpoint(low, after)
  return midpoint(low, undefined)
}
