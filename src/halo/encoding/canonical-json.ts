/**
 * Canonical JSON after RFC 8785 (JCS), for the subset of JSON that credentials
 * use: objects, arrays, strings, booleans, null and safe integers. Keys are
 * sorted by UTF-16 code units and strings are escaped as ECMAScript's
 * JSON.stringify does, which is what JCS specifies. Anything outside the subset
 * (fractions, -0, NaN, undefined, bigint, cycles, class instances) throws: a
 * signed record must never depend on how a runtime prints a float.
 */
import { AppError, utf8 } from '../../base'
import { isWellFormedText } from './well-formed'

export class NotCanonical extends AppError<'not-canonical'> {
  constructor(message: string) {
    super('not-canonical', message)
  }
}

const writeString = (value: string): string => {
  // I-JSON (RFC 7493), which JCS requires, has no lone surrogates; UTF-8 cannot carry them.
  if (!isWellFormedText(value)) throw new NotCanonical('a string that is not well-formed Unicode')
  return JSON.stringify(value)
}

const write = (value: unknown, seen: Set<object>): string => {
  if (typeof value === 'string') return writeString(value)
  if (value === null || typeof value === 'boolean') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw new NotCanonical(`not a safe integer: ${value}`)
    return String(value)
  }
  if (typeof value !== 'object') throw new NotCanonical(`not JSON: ${typeof value}`)
  if (seen.has(value)) throw new NotCanonical('a cycle')
  seen.add(value)
  const out = Array.isArray(value) ? writeArray(value, seen) : writeObject(value as Record<string, unknown>, seen)
  seen.delete(value)
  return out
}

const writeArray = (values: readonly unknown[], seen: Set<object>): string =>
  `[${values.map((item) => write(item, seen)).join(',')}]`

const writeObject = (object: Record<string, unknown>, seen: Set<object>): string => {
  const prototype: unknown = Object.getPrototypeOf(object)
  if (prototype !== Object.prototype && prototype !== null) throw new NotCanonical('not a plain object')
  // Absent optional fields (undefined) are left out, so `{a: undefined}` encodes like `{}`.
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort()
  return `{${keys.map((key) => `${writeString(key)}:${write(object[key], seen)}`).join(',')}}`
}

/** The canonical text of `value`; throws `NotCanonical` for anything outside the subset. */
export const canonicalJson = (value: unknown): string => write(value, new Set())

/** The canonical UTF-8 bytes of `value`: what gets hashed and signed. */
export const canonicalBytes = (value: unknown): Uint8Array => utf8(canonicalJson(value))
