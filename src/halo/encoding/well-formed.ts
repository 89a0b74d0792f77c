/**
 * Well-formed Unicode text: no lone UTF-16 surrogate. A lone surrogate cannot
 * be written as UTF-8, so Automerge and every other UTF-8 store replace it with
 * U+FFFD: a signed string holding one would change on its way to the next
 * device, and its credential would fail there with `id-mismatch`. I-JSON
 * (RFC 7493), which JCS builds on, forbids them. (`String.prototype.isWellFormed`
 * is ES2024; the target here is ES2023.)
 */
export const isWellFormedText = (text: string): boolean => {
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index)
    if (unit < 0xd800 || unit > 0xdfff) continue
    const next = text.charCodeAt(index + 1)
    // A high surrogate must be followed by a low one; a low one may only follow a high one.
    if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return false
    index++
  }
  return true
}

/** The path of the first ill-formed string in a JSON-like value (keys included), or undefined. */
export const illFormedPath = (value: unknown, path = '$'): string | undefined => {
  if (typeof value === 'string') return isWellFormedText(value) ? undefined : path
  if (typeof value !== 'object' || value === null) return undefined
  for (const [key, item] of Object.entries(value)) {
    if (!isWellFormedText(key)) return `${path}[key]`
    const found = illFormedPath(item, `${path}.${key}`)
    if (found !== undefined) return found
  }
  return undefined
}
