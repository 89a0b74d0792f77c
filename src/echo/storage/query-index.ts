/**
 * Runs a `Query` over the index tables, choosing an index so that the common
 * queries (by type in an order, with a limit) read only the rows they return,
 * and wraps it in Dexie's liveQuery, which re-runs on changes from this tab and
 * from other tabs of the same browser. A list without a limit is read in one
 * `getAll` and filtered here: a Dexie `filter` or `distinct` walks a cursor, one
 * IndexedDB request per row, and a live list of 5,000 re-read on every index
 * write was most of a guest's time while a big space arrived.
 */
import { Dexie, liveQuery } from 'dexie'
import { Cell } from '../../base'
import type { Observable } from '../../base'
import type { Query, SortField } from '../query/query'
import { wordsOf } from '../query/query'
import type { ChangeSource, Pending } from '../query/overlay'
import { objectMatches, overlaid, overlayApplies } from '../query/overlay'
import { InvalidQuery } from '../errors'
import { PacedReads } from './paced-reads'
import type { EchoObject } from '../schema/echo-object'
import { isObjectType, specOf } from '../schema/object-type-specs'
import type { EchoDatabase, ObjectRow } from './echo-database'

const matches = (row: ObjectRow, query: Query, words: readonly string[]): boolean =>
  objectMatches(row.record, query) && words.every((word) => row.words.some((candidate) => candidate.startsWith(word)))

const sortValue = (row: ObjectRow, by: SortField): string | number => row[by]

const compareRows = (by: SortField, descending: boolean) => (a: ObjectRow, b: ObjectRow) => {
  const [x, y] = [sortValue(a, by), sortValue(b, by)]
  const order = x < y ? -1 : x > y ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0
  return descending ? -order : order
}

/** The index to walk when no text is searched: one that already yields the wanted order. */
type Rows = ReturnType<EchoDatabase['objects']['toCollection']>

const ordered = (db: EchoDatabase, spaceId: string, query: Query, by: SortField): Rows | undefined => {
  if (query.type === undefined) {
    return by === 'updatedAt'
      ? db.objects.where('[spaceId+updatedAt]').between([spaceId, Dexie.minKey], [spaceId, Dexie.maxKey])
      : undefined
  }
  if (by === 'createdAt') return undefined
  return db.objects
    .where(`[spaceId+type+${by}]`)
    .between([spaceId, query.type, Dexie.minKey], [spaceId, query.type, Dexie.maxKey])
}

/** Throws `InvalidQuery` for a type ECHO does not know or a sort field its spec does not list. */
const checkQuery = (query: Query, by: SortField): void => {
  if (query.type === undefined) return
  if (!isObjectType(query.type)) throw new InvalidQuery(`unknown object type: ${String(query.type)}`)
  if (!specOf(query.type).sortFields.includes(by)) throw new InvalidQuery(`a ${query.type} has no ${by} to sort by`)
}

export const runQuery = async (db: EchoDatabase, spaceId: string, query: Query): Promise<EchoObject[]> => {
  const words = wordsOf(query.text ?? '')
  const by = query.sort?.by ?? 'updatedAt'
  checkQuery(query, by)
  const descending = (query.sort?.direction ?? (by === 'updatedAt' ? 'desc' : 'asc')) === 'desc'
  const limit = query.limit ?? Infinity
  const keep = (row: ObjectRow) => row.spaceId === spaceId && matches(row, query, words)
  const walk = words.length === 0 ? ordered(db, spaceId, query, by) : undefined
  let rows: ObjectRow[]
  if (walk !== undefined && Number.isFinite(limit)) {
    // A cursor stops at the limit; a whole list is read at once below.
    rows = await (descending ? walk.reverse() : walk).filter(keep).limit(limit).toArray()
  } else if (walk !== undefined) {
    const all = await walk.toArray()
    rows = (descending ? all.reverse() : all).filter(keep)
  } else {
    // Text search starts from the rarest-looking (longest) word's prefix range.
    const longest = [...words].sort((a, b) => b.length - a.length)[0]
    const candidates =
      longest === undefined
        ? db.objects.where('spaceId').equals(spaceId)
        : db.objects.where('words').startsWith(longest)
    rows = distinct(await candidates.toArray())
      .filter(keep)
      .sort(compareRows(by, descending))
      .slice(0, limit)
  }
  return rows.map((row) => row.record)
}

/** Rows read through a multi-entry index come once per matching word. */
const distinct = (rows: readonly ObjectRow[]): ObjectRow[] => [...new Map(rows.map((row) => [row.key, row])).values()]

type QueryState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly objects: readonly EchoObject[] }
  | { readonly status: 'failed'; readonly error: Error }

/** A query whose results stay current; call `close` when no longer shown. */
export interface LiveQuery extends Observable<QueryState> {
  close(): void
}

/** The query's rows and, read in the same transaction, the heads each of the space's documents was indexed at. */
const indexedRun = (db: EchoDatabase, spaceId: string, query: Query) =>
  db.transaction('r', [db.objects, db.indexedDocs], async () => {
    const objects = await runQuery(db, spaceId, query)
    const docs = await db.indexedDocs.where('spaceId').equals(spaceId).toArray()
    return { objects, heads: new Map(docs.map((row) => [row.doc, row.heads])) }
  })

/**
 * Given `changes` (a space's, by its indexer), a whole list (`overlayApplies`) shows an object as its document
 * says from the moment it changed, until the index has caught up with that document (its indexed heads are the
 * document's heads now): a peer's edit shows without waiting for the index write and the query after it.
 */
export const liveObjectQuery = (db: EchoDatabase, spaceId: string, query: Query, changes?: ChangeSource): LiveQuery => {
  const state = new Cell<QueryState>({ status: 'loading' })
  const source = changes !== undefined && overlayApplies(query) ? changes : undefined
  const pending = new Map<string, Pending>()
  let indexed: readonly EchoObject[] | undefined
  const show = (): void => {
    if (indexed === undefined) return
    state.set({ status: 'ready', objects: pending.size === 0 ? indexed : overlaid(indexed, pending, query) })
  }
  const stopChanges = source?.watch(spaceId, ({ doc, objects }) => {
    for (const [id, object] of objects) pending.set(id, { doc, object })
    show()
  })
  const failed = (error: unknown) =>
    state.set({ status: 'failed', error: error instanceof Error ? error : new Error(String(error)) })
  const reads = new PacedReads(
    () =>
      source === undefined
        ? runQuery(db, spaceId, query).then((objects) => ({ objects, heads: new Map<string, string>() }))
        : indexedRun(db, spaceId, query),
    ({ objects, heads }) => {
      indexed = objects
      if (source !== undefined) {
        for (const [id, { doc }] of pending) {
          // A document no longer followed (replaced by an epoch) is indexed again from its replacement.
          const now = source.heads(doc)
          if (now === undefined || heads.get(doc) === now) pending.delete(id)
        }
      }
      show()
    },
    failed,
  )
  // Dexie tells of every index write of the space, from this tab or another, through the space's few heads rows
  // (object-index.ts; a search also through its words row); the list itself is read outside Dexie's tracking, paced.
  const searches = wordsOf(query.text ?? '').length > 0
  const written = () =>
    Promise.all([
      db.indexedDocs.where('spaceId').equals(spaceId).toArray(),
      searches ? db.wordsWritten.get(spaceId) : undefined,
    ])
  const subscription = liveQuery(written).subscribe({
    next: () => reads.changed(),
    error: failed,
  })
  return {
    get: () => state.get(),
    subscribe: (listener) => state.subscribe(listener),
    close: () => {
      stopChanges?.()
      subscription.unsubscribe()
      reads.close()
    },
  }
}
