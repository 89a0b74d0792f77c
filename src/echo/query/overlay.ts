/**
 * A live list shows an object as its document says the moment the document changes (an edit from a peer or
 * another tab), before the indexer has written the index row: the index catches up a few milliseconds later.
 * `overlaid` puts such objects over a query's index result, by the same rules the index query applies.
 */
import { assertNever } from '../../base'
import type { EchoObject } from '../schema/echo-object'
import { specOf } from '../schema/object-type-specs'
import type { Query, SortField } from './query'

/** Objects of one document as it says right after a change; `undefined`: gone from it, or quarantined. */
export interface ObjectChanges {
  readonly doc: string
  readonly objects: ReadonlyMap<string, EchoObject | undefined>
}

/** Where a space's object changes are heard (the indexer), and each object document's heads now. */
export interface ChangeSource {
  watch(space: string, listener: (changes: ObjectChanges) => void): () => void
  heads(doc: string): string | undefined
}

/** An object changed in its document, not yet known to be in the index. */
export interface Pending {
  readonly doc: string
  readonly object: EchoObject | undefined
}

/**
 * Only whole lists are overlaid: a search matches a note's text, which the document of its object does not
 * hold, and a limited list would need the index's next row when an object leaves it.
 */
export const overlayApplies = (query: Query): boolean => (query.text ?? '').trim() === '' && query.limit === undefined

/** Whether an object passes a query's filters other than its words (shared with the index query). */
export const objectMatches = (object: EchoObject, query: Query): boolean => {
  const deleted = query.deleted ?? 'exclude'
  switch (deleted) {
    case 'exclude':
      if (object.deleted === true) return false
      break
    case 'only':
      if (object.deleted !== true) return false
      break
    case 'include':
      break
    default:
      assertNever(deleted)
  }
  if (query.type !== undefined && object.type !== query.type) return false
  const fields: Readonly<Record<string, unknown>> = object.fields
  return Object.entries(query.where ?? {}).every(([name, value]) => fields[name] === value)
}

/** The value the index sorts an object by (`indexer.ts` writes the same: a lower-case title, '' for no order). */
const sortValue = (object: EchoObject, by: SortField): string | number => {
  switch (by) {
    case 'updatedAt':
    case 'createdAt':
      return object[by]
    case 'title':
      return specOf(object.type).index(object.fields).title.toLowerCase()
    case 'order':
      return specOf(object.type).index(object.fields).order ?? ''
    default:
      return assertNever(by)
  }
}

/** The index result with each pending object in its place (or out of the list), in the query's order. */
export const overlaid = (
  indexed: readonly EchoObject[],
  pending: ReadonlyMap<string, Pending>,
  query: Query,
): EchoObject[] => {
  const by = query.sort?.by ?? 'updatedAt'
  const descending = (query.sort?.direction ?? (by === 'updatedAt' ? 'desc' : 'asc')) === 'desc'
  const shown = indexed.filter((object) => !pending.has(object.id))
  for (const { object } of pending.values())
    if (object !== undefined && objectMatches(object, query)) shown.push(object)
  const values = new Map(shown.map((object) => [object, sortValue(object, by)]))
  return shown.sort((a, b) => {
    const [x, y] = [values.get(a) ?? '', values.get(b) ?? '']
    // Ties go by id, as the index's by key (the space id, then the object id).
    const order = x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
    return descending ? -order : order
  })
}
