/** What a query can ask for; executed over the index by storage/query-index.ts. */
import type { ObjectType } from '../schema/object-types'

export const SORT_FIELDS = ['updatedAt', 'createdAt', 'order', 'title'] as const
export type SortField = (typeof SORT_FIELDS)[number]

type DeletedFilter = 'exclude' | 'include' | 'only'

export interface Query {
  readonly type?: ObjectType
  /** Field equality: `{ done: false }`. */
  readonly where?: Readonly<Record<string, string | number | boolean>>
  /** Words that must each start a word of the title or text (case-insensitive). */
  readonly text?: string
  readonly sort?: { readonly by: SortField; readonly direction?: 'asc' | 'desc' }
  readonly limit?: number
  /** Soft-deleted objects: left out (default), included, or only they (a trash view). */
  readonly deleted?: DeletedFilter
}

const MAX_WORDS = 256
const MAX_WORD = 32

/**
 * `wordsOf(a + ' ' + b)` from `wordsOf(a)` and `wordsOf(b)`: a text's words, read once, go with each title naming it.
 * The same words in the same order: at most `MAX_WORDS` of `b` are needed, as at most `wordsOf(a)`'s count repeat.
 */
export const joinWords = (first: readonly string[], more: readonly string[]): string[] => {
  const words = new Set(first)
  for (const word of more) {
    if (words.size >= MAX_WORDS) break
    words.add(word)
  }
  return [...words]
}

/** Lower-case words of a text, for the search index and for queries. */
export const wordsOf = (text: string): string[] => {
  const words = new Set<string>()
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    words.add(match[0].slice(0, MAX_WORD))
    if (words.size >= MAX_WORDS) break
  }
  return [...words]
}
