/**
 * Base of every error the app throws on purpose. `code` is stable and safe to
 * switch on; `message` is for people and logs and may change.
 */
export class AppError<Code extends string = string> extends Error {
  readonly code: Code

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}
