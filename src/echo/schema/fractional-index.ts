/**
 * Order keys for manual ordering, made by `fractional-indexing`: a key can
 * always be made between two others, so moving one task rewrites only that
 * task. A key is an integer part (a head letter saying how many base-62 digits
 * follow: 'a' one, 'b' two... and 'Z', 'Y'... for negatives) and an optional
 * fraction that never ends in '0'. The hand-written version this replaced used
 * the same format, so keys stored before stay valid and sort the same
 * (`fractional-index.test.ts` pins a list of them).
 *
 * Not the jittered variant: keys stay deterministic (tests and the pinned list
 * depend on it), and two peers that mint the same key between the same
 * neighbours still agree on one order, because equal keys sort by object id and
 * a key made between equal keys goes just after them.
 */
import { generateKeyBetween } from 'fractional-indexing'
import { AppError } from '../../base'

/** A string given as an order key that is not one (a peer's or a file's); nothing was made from it. */
export class InvalidOrderKey extends AppError<'invalid-order-key'> {
  constructor(key: string) {
    super('invalid-order-key', `not an order key: ${JSON.stringify(key.slice(0, 64))}`)
  }
}

/**
 * The longest key the schema accepts. Keys made here grow with the logarithm of
 * the list (4 characters after 100,000 appends) or by one character per about
 * six insertions into one gap; the longest pinned old key has 15. A peer's
 * longer key would make every key placed next to it as long.
 */
export const ORDER_KEY_MAX_LENGTH = 256

// The library trusts that every character is a base-62 digit; it checks the rest.
const DIGITS = /^[0-9A-Za-z]+$/
// The integer the library can go no lower than: a key, but nothing sorts before it, so the library refuses it.
const SMALLEST = `A${'0'.repeat(26)}`

export const isOrderKey = (key: string): boolean => {
  if (key.length > ORDER_KEY_MAX_LENGTH || !DIGITS.test(key)) return false
  try {
    // The library's own check (head letter, integer length, no trailing '0', not the smallest key) runs first.
    // Cheap enough for every object read: 100,000 keys in about 25 ms on this 2-core machine.
    generateKeyBetween(key, null)
    return true
  } catch {
    return false
  }
}

const checked = (key: string | undefined): string | undefined => {
  if (key !== undefined && !isOrderKey(key)) throw new InvalidOrderKey(key)
  return key
}

/**
 * A key that sorts after `low` and before `high` (either may be missing for the
 * ends). When two peers gave two items the same key, `low >= high`: the new key
 * then goes just after `low`, before any key that does not start with `low`,
 * and ties sort by object id. Throws `InvalidOrderKey` (never the library's own
 * error) for a string that is not a key; stored keys passed the schema's
 * `isOrderKey`, so that means a caller's bug.
 */
export const orderBetween = (low?: string, high?: string): string => {
  const lower = checked(low)
  const upper = checked(high)
  if (lower !== undefined && upper !== undefined && upper <= lower) {
    // `low + 'V'` is a key (it ends in a non-zero digit) and only keys starting with `low` sort below it.
    return generateKeyBetween(lower, `${lower}V`)
  }
  const key = generateKeyBetween(lower, upper)
  // Below the integer just above the smallest, the library steps down to the smallest, which is no
  // key; the smallest integer with a fraction is one, and sorts below `upper` (that integer).
  return key === SMALLEST ? `${SMALLEST}V` : key
}

/**
 * `count` distinct keys in increasing order, all after `low` and (when `low < high`) before
 * `high`: to give a run of tasks that share a key fresh keys of their own. Each key halves the
 * gap it is made in, so the keys stay about as short as single insertions would make them.
 */
export const ordersBetween = (low: string | undefined, high: string | undefined, count: number): string[] => {
  if (count <= 0) return []
  const middle = orderBetween(low, high)
  const below = Math.floor((count - 1) / 2)
  return [...ordersBetween(low, middle, below), middle, ...ordersBetween(middle, high, count - 1 - below)]
}
