import { AppError } from './errors'

class AssertionFailed extends AppError<'assertion-failed'> {
  constructor(message: string) {
    super('assertion-failed', message)
  }
}

/** Throws when an invariant that the code relies on does not hold. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailed(message)
}

/** Makes a `switch` over a union exhaustive: adding a member breaks the build. */
export const assertNever = (value: never): never => {
  throw new AssertionFailed(`unexpected value: ${JSON.stringify(value)}`)
}
