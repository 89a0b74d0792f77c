/**
 * Mutations of genuine inputs, for fuzz properties: a real frame, file or credential with a few edits lands deep
 * in a decoder, where purely random bytes stop at the first check. Each arbitrary is a list of edits, so fast-check
 * shrinks a failure to the fewest edits.
 */
import fc from 'fast-check'

interface Edit {
  readonly kind: number
  readonly at: number
  readonly length: number
  readonly value: number
}

const edits = (maxEdits: number): fc.Arbitrary<readonly Edit[]> =>
  fc.array(
    fc.record({
      kind: fc.nat({ max: 5 }),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 16 }),
      value: fc.nat({ max: 255 }),
    }),
    { minLength: 1, maxLength: maxEdits },
  )

/** Flip a bit, overwrite a byte, insert, delete, duplicate a slice, or cut the end off. */
const applyEdit = (bytes: Uint8Array, { kind, at, length, value }: Edit): Uint8Array => {
  const i = bytes.length === 0 ? 0 : at % bytes.length
  switch (kind) {
    case 0: {
      const out = bytes.slice()
      if (out.length > 0) out[i] = (out[i] ?? 0) ^ (1 << (value % 8))
      return out
    }
    case 1: {
      const out = bytes.slice()
      if (out.length > 0) out[i] = value
      return out
    }
    case 2:
      return Uint8Array.from([
        ...bytes.subarray(0, i),
        ...Array.from({ length }, (_, n) => (value + n * 31) % 256),
        ...bytes.subarray(i),
      ])
    case 3:
      return Uint8Array.from([...bytes.subarray(0, i), ...bytes.subarray(i + length)])
    case 4:
      return Uint8Array.from([...bytes.subarray(0, i + length), ...bytes.subarray(i)])
    default:
      return bytes.slice(0, i)
  }
}

/** `original` with one to `maxEdits` byte edits. */
export const mutatedBytes = (original: Uint8Array, maxEdits = 4): fc.Arbitrary<Uint8Array> =>
  edits(maxEdits).map((list) => list.reduce(applyEdit, original))

/** Characters that matter to JSON and to the decoders here, beside any character at all. */
const TEXT_PIECES = ['"', '\\', '{', '}', '[', ']', ',', ':', '0', '-', 'e', 'null', '\ud800', '\u0000', ' ', 'A', '_']

/** `original` with one to `maxEdits` character edits: structure characters, lone surrogates, anything. */
export const mutatedText = (original: string, maxEdits = 4): fc.Arbitrary<string> =>
  fc
    .array(
      fc.record({
        at: fc.nat(),
        remove: fc.nat({ max: 8 }),
        insert: fc.oneof(fc.constantFrom(...TEXT_PIECES), fc.string({ maxLength: 4, unit: 'binary' })),
      }),
      { minLength: 1, maxLength: maxEdits },
    )
    .map((list) =>
      list.reduce((text, { at, remove, insert }) => {
        const i = at % (text.length + 1)
        return text.slice(0, i) + insert + text.slice(i + remove)
      }, original),
    )

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Path = readonly (string | number)[]

const pathsOf = (value: unknown, path: Path = []): Path[] => {
  if (typeof value !== 'object' || value === null) return [path]
  const children = Array.isArray(value)
    ? value.flatMap((child, index) => pathsOf(child, [...path, index]))
    : Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...path, key]))
  return [path, ...children]
}

/** A value that often differs from a field's by a little: a near number, a changed string, another type. */
const replacement: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(0, -1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, '', 'a'.repeat(300), [], {}, null, true, '\ud800'),
)

const setAt = (
  root: Json,
  path: Path,
  change: (parent: Record<string | number, unknown>, key: string | number) => void,
): Json => {
  const last = path.at(-1)
  if (last === undefined) return root
  const copy = structuredClone(root)
  let parent: unknown = copy
  for (const key of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return root
    parent = (parent as Record<string | number, unknown>)[key]
  }
  // An earlier edit may have replaced or removed what this path went through.
  if (typeof parent !== 'object' || parent === null) return root
  change(parent as Record<string | number, unknown>, last)
  return copy
}

/**
 * `original` (plain JSON) with one to `maxEdits` edits at any depth: a field replaced by another value, removed,
 * or a field added beside it.
 */
export const mutatedJson = (original: unknown, maxEdits = 3): fc.Arbitrary<unknown> => {
  const paths = pathsOf(original)
  return fc
    .array(
      fc.record({
        at: fc.nat({ max: paths.length - 1 }),
        kind: fc.nat({ max: 2 }),
        key: fc.string({ maxLength: 8 }),
        value: replacement,
      }),
      {
        minLength: 1,
        maxLength: maxEdits,
      },
    )
    .map((list) =>
      list.reduce<Json>((value, { at, kind, key, value: next }) => {
        const path = paths[at] ?? []
        if (path.length === 0) return kind === 0 ? (next as Json) : value
        return setAt(value, path, (parent, last) => {
          if (kind === 0) parent[last] = next
          else if (kind === 1) {
            if (Array.isArray(parent)) parent.splice(Number(last), 1)
            else Reflect.deleteProperty(parent, last)
          } else if (Array.isArray(parent)) parent.splice(Number(last), 0, next)
          else parent[key] = next
        })
      }, original as Json),
    )
}

/** Anything a peer could send in place of a frame: text, bytes, JSON of any shape, values of any type. */
export const anyInput: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.anything({ maxDepth: 2 }),
)
