/**
 * The browser's own words about a refusal: the message of a `DOMException`, whether thrown as is or
 * wrapped by a storage library (`cause`, or Dexie's `inner`). Anything else is the app's own fault,
 * and its text is for the console only.
 */
export const browserWords = (error: unknown, depth = 0): string | undefined => {
  if (error instanceof DOMException) return error.message
  if (depth >= 4 || typeof error !== 'object' || error === null) return undefined
  const { cause, inner } = error as { cause?: unknown; inner?: unknown }
  return browserWords(cause, depth + 1) ?? browserWords(inner, depth + 1)
}
