/**
 * Looks for secrets and content in recorded bytes in every form a careless encoder could give them: raw, hex (either
 * case), and base64 and base64url at each of the three byte alignments (a secret inside a longer encoded value is
 * encoded from its offset there, so its own base64 only matches one alignment in three). The part of the encoding
 * that depends on neighbouring bytes is cut off, so padded and unpadded base64 are both found.
 */

export interface Needle {
  /** What it is, e.g. "Ada's device seed". */
  readonly label: string
  readonly bytes: Uint8Array
}

export interface Hit {
  readonly needle: string
  /** `raw`, `hex`, `HEX`, `base64@k` or `base64url@k` (k: leading bytes before the needle, mod 3). */
  readonly encoding: string
  readonly haystack: string
}

export interface Haystack {
  readonly name: string
  readonly parts: readonly Buffer[]
}

/** Below this a random match in megabytes of ciphertext becomes likely; every needle here is longer. */
const MIN_NEEDLE_BYTES = 12

const base64Core = (bytes: Uint8Array, shift: number, url: boolean): string => {
  const shifted = Buffer.concat([Buffer.alloc(shift), bytes])
  const text = shifted.toString(url ? 'base64url' : 'base64').replace(/=+$/, '')
  // Characters touching the `shift` filler bytes, and a last one mixing in the unknown byte after, are dropped.
  const first = Math.ceil((shift * 8) / 6)
  const last = Math.floor((shifted.length * 8) / 6)
  return text.slice(first, last)
}

/** Every form of `needle` searched for. */
const encodingsOf = (bytes: Uint8Array): { encoding: string; pattern: Buffer }[] => {
  if (bytes.length < MIN_NEEDLE_BYTES) throw new Error(`a needle of ${String(bytes.length)} bytes is too short`)
  const hex = Buffer.from(bytes).toString('hex')
  return [
    { encoding: 'raw', pattern: Buffer.from(bytes) },
    { encoding: 'hex', pattern: Buffer.from(hex) },
    { encoding: 'HEX', pattern: Buffer.from(hex.toUpperCase()) },
    ...[0, 1, 2].flatMap((shift) => [
      { encoding: `base64@${String(shift)}`, pattern: Buffer.from(base64Core(bytes, shift, false)) },
      { encoding: `base64url@${String(shift)}`, pattern: Buffer.from(base64Core(bytes, shift, true)) },
    ]),
  ]
}

/** Every (needle, encoding, haystack) found; empty when nothing leaked. */
export const search = (needles: readonly Needle[], haystacks: readonly Haystack[]): Hit[] => {
  const hits: Hit[] = []
  for (const needle of needles) {
    for (const { encoding, pattern } of encodingsOf(needle.bytes)) {
      for (const haystack of haystacks) {
        if (haystack.parts.some((part) => part.includes(pattern))) {
          hits.push({ needle: needle.label, encoding, haystack: haystack.name })
        }
      }
    }
  }
  return hits
}

export const textNeedle = (label: string, text: string): Needle => ({ label, bytes: Buffer.from(text, 'utf8') })
