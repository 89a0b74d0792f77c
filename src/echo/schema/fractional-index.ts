/**
 * Order keys for manual ordering: a key can always be made between two others,
 * so moving one task rewrites only that task. A key is an integer part (a head
 * letter saying how many base-62 digits follow: 'a' one, 'b' two... and 'Z',
 * 'Y'... for negatives) and an optional fraction that never ends in '0'.
 * Appending or prepending steps the integer, so keys grow with the logarithm
 * of the list length; inserting between two keys extends the fraction.
 */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const BASE = DIGITS.length
const KEY = /^([a-zA-Z])([0-9A-Za-z]*)$/

const valueOf = (digit: string | undefined): number => (digit === undefined ? 0 : DIGITS.indexOf(digit))

const integerLength = (head: string): number =>
  head >= 'a' ? head.charCodeAt(0) - 'a'.charCodeAt(0) + 2 : 'Z'.charCodeAt(0) - head.charCodeAt(0) + 2

const split = (key: string): { integer: string; fraction: string } => {
  const length = integerLength(key.charAt(0))
  return { integer: key.slice(0, length), fraction: key.slice(length) }
}

export const isOrderKey = (key: string): boolean => {
  const match = KEY.exec(key)
  if (match === null) return false
  const { integer, fraction } = split(key)
  return integer.length === integerLength(key.charAt(0)) && !fraction.endsWith('0')
}

/** A fraction strictly between `low` and `high` (digit strings, `high` undefined meaning 1). */
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

/** The next integer, or undefined past the largest ('z' and 26 'z' digits). */
const increment = (integer: string): string | undefined => {
  const head = integer.charAt(0)
  const digits = Array.from(integer.slice(1), (char) => char)
  for (let i = digits.length - 1; i >= 0; i--) {
    const value = valueOf(digits[i])
    if (value < BASE - 1) {
      digits[i] = DIGITS.charAt(value + 1)
      return head + digits.join('')
    }
    digits[i] = '0'
  }
  if (head === 'Z') return 'a0'
  if (head === 'z') return undefined
  // Every digit carried over: the next head has one digit more (positive) or one fewer (negative).
  const next = String.fromCharCode(head.charCodeAt(0) + 1)
  return next + '0'.repeat(integerLength(next) - 1)
}

/** The previous integer, or undefined before the smallest ('A' and 26 '0' digits). */
const decrement = (integer: string): string | undefined => {
  const head = integer.charAt(0)
  const digits = Array.from(integer.slice(1), (char) => char)
  for (let i = digits.length - 1; i >= 0; i--) {
    const value = valueOf(digits[i])
    if (value > 0) {
      digits[i] = DIGITS.charAt(value - 1)
      return head + digits.join('')
    }
    digits[i] = 'z'
  }
  if (head === 'a') return `Z${DIGITS.charAt(BASE - 1)}`
  if (head === 'A') return undefined
  const previous = String.fromCharCode(head.charCodeAt(0) - 1)
  return previous + 'z'.repeat(integerLength(previous) - 1)
}

const after = (key: string): string => {
  const { integer, fraction } = split(key)
  return increment(integer) ?? integer + midpoint(fraction, undefined)
}

const before = (key: string): string => {
  const { integer, fraction } = split(key)
  if (fraction !== '') return integer
  const previous = decrement(integer)
  return previous ?? integer + midpoint('', fraction)
}

/**
 * A key that sorts after `low` and before `high` (either may be missing for the
 * ends). When two peers gave two items the same key, `low >= high`: the new key
 * then goes just after `low` and ties sort by object id.
 */
export const orderBetween = (low?: string, high?: string): string => {
  if (low === undefined) return high === undefined ? 'a0' : before(high)
  if (high === undefined || high <= low) return after(low)
  const lower = split(low)
  const upper = split(high)
  if (lower.integer === upper.integer) return lower.integer + midpoint(lower.fraction, upper.fraction)
  const next = increment(lower.integer)
  return next !== undefined && next < high ? next : lower.integer + midpoint(lower.fraction, undefined)
}
