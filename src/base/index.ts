export { assert, assertNever, AssertionFailed } from './assert'
export type { Brand } from './brand'
export {
  bytesEqual,
  concatBytes,
  fromBase64Url,
  fromHex,
  fromUtf8,
  toBase64Url,
  toHex,
  utf8,
} from './bytes'
export { ManualClock, systemClock } from './clock'
export { Cell } from './observable'
export type { Observable } from './observable'
export type { Clock } from './clock'
export { AppError, describeError } from './errors'
export { err, ok } from './result'
export type { Result } from './result'
