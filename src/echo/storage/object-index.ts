/**
 * Writes to the query index. The index is derived data: rows are computed from
 * documents by the indexer and replaced here in one transaction per batch, so a
 * query never sees half a batch.
 */
import type { EchoDatabase, IndexedDocRow, ObjectRow, QuarantineRow } from './echo-database'
import { sameData } from '../../base'

/** What one batch of indexing changes: rows to put, objects to drop, and the heads reached. */
export interface IndexBatch {
  readonly rows: readonly ObjectRow[]
  readonly quarantined: readonly QuarantineRow[]
  /** Keys (`space/id`) no longer in the index or the quarantine (deleted from a document, or now invalid/valid). */
  readonly removedKeys: readonly string[]
  readonly docs: readonly IndexedDocRow[]
}

export const objectKey = (spaceId: string, id: string): string => `${spaceId}/${id}`

/**
 * Rows handed to IndexedDB in one go. Dexie makes a bulk call's requests in one task, each cloning its row there:
 * a batch of ten object documents (10,000 rows) held the main thread 0.6 s (`npm run bench sync`, the phone's
 * longest task); a slice waits for the one before it, so each is a task of its own, in the same transaction.
 */
const SLICE = 500

const inSlices = async <T>(items: readonly T[], write: (slice: T[]) => Promise<unknown>): Promise<void> => {
  for (let start = 0; start < items.length; start += SLICE) await write(items.slice(start, start + SLICE))
}

/**
 * The rows that differ from those stored under their keys. A device that serves a linked device a big space loads
 * each of its 5,000 note texts from storage to send it, and hearing a text indexes its note again (`Indexer`): its
 * row comes out as it was, and writing it again rewrote its words' multi-entry index too (the write alone was 3% of
 * that page's busy time in `npm run bench sync`, besides the browser's own work on it). Reading a row costs less.
 */
const changedRows = async (
  db: EchoDatabase,
  rows: readonly ObjectRow[],
): Promise<{ readonly changed: ObjectRow[]; readonly shown: boolean }> => {
  const changed: ObjectRow[] = []
  let shown = false
  await inSlices(rows, async (slice) => {
    const stored = await db.objects.bulkGet(slice.map((row) => row.key))
    slice.forEach((row, at) => {
      const before = stored[at]
      if (sameData(row, before)) return
      changed.push(row)
      // New to the list (indexed for the first time, or out of quarantine), or shown otherwise: not words alone.
      if (before === undefined || !sameData(row.record, before.record)) shown = true
    })
  })
  return { changed, shown }
}

/**
 * Whole lists re-read when a space's `indexedDocs` rows are written, searches also when its `wordsWritten` row is.
 * A document indexed again at the heads it had (its rows changed only by a note text's words, which arrive for
 * thousands of notes after a space does) leaves its heads row alone: each whole list of 5,000 rows was read again
 * about twice a second while texts arrived (`npm run bench sync`). Rows leaving the list (deleted, quarantined),
 * entering it or shown otherwise always tell whole lists: a document's objects may be indexed in two batches at
 * the same heads (a note's text arrived and indexed its note while the document was still being followed, then
 * the whole document), and a guest's task list stayed empty for good with its task in the index (e2e, CI).
 */
export const writeIndexBatch = async (db: EchoDatabase, batch: IndexBatch): Promise<void> => {
  await db.transaction('rw', [db.objects, db.quarantine, db.indexedDocs, db.wordsWritten], async () => {
    const valid = new Set(batch.rows.map((row) => row.key))
    const invalid = new Set(batch.quarantined.map((row) => row.key))
    await inSlices([...batch.removedKeys, ...invalid], (keys) => db.objects.bulkDelete(keys))
    await inSlices([...batch.removedKeys, ...valid], (keys) => db.quarantine.bulkDelete(keys))
    const { changed, shown } = await changedRows(db, batch.rows)
    await inSlices(changed, (rows) => db.objects.bulkPut(rows))
    await inSlices(batch.quarantined, (rows) => db.quarantine.bulkPut(rows))
    const listsChange = shown || batch.removedKeys.length > 0 || batch.quarantined.length > 0
    const stored = listsChange ? [] : await db.indexedDocs.bulkGet(batch.docs.map((row) => row.doc))
    const moved = batch.docs.filter(
      (row, at) => listsChange || stored[at]?.heads !== row.heads || stored[at].spaceId !== row.spaceId,
    )
    if (moved.length > 0) await db.indexedDocs.bulkPut(moved)
    const at = Date.now()
    const spaces = new Set(changed.map((row) => row.spaceId))
    if (spaces.size > 0) await db.wordsWritten.bulkPut([...spaces].map((spaceId) => ({ spaceId, at })))
  })
}

/** Keys of the index rows (valid or quarantined) that came from one document. */
export const keysFromDocument = async (db: EchoDatabase, doc: string): Promise<string[]> => {
  const [valid, invalid] = await Promise.all([
    db.objects.where('doc').equals(doc).primaryKeys(),
    db.quarantine.where('doc').equals(doc).primaryKeys(),
  ])
  return [...valid, ...invalid]
}

/** Keys of the rows of a document indexed without their text (`ObjectRow.textWaiting`). */
export const textsWaitingIn = (db: EchoDatabase, doc: string): Promise<string[]> =>
  db.objects.where('[doc+textWaiting]').equals([doc, 1]).primaryKeys()

export const indexedHeads = async (db: EchoDatabase, doc: string): Promise<string | undefined> =>
  (await db.indexedDocs.get(doc))?.heads

export const clearSpaceIndex = async (db: EchoDatabase, spaceId: string): Promise<void> => {
  await db.transaction('rw', [db.objects, db.quarantine, db.indexedDocs, db.wordsWritten], async () => {
    await db.objects.where('spaceId').equals(spaceId).delete()
    await db.quarantine.where('spaceId').equals(spaceId).delete()
    await db.indexedDocs.where('spaceId').equals(spaceId).delete()
    await db.wordsWritten.delete(spaceId)
  })
}

/** Every index row of a space, sorted by key: for comparing an index with a rebuilt one. */
export const dumpSpaceIndex = async (
  db: EchoDatabase,
  spaceId: string,
): Promise<{ objects: ObjectRow[]; quarantine: QuarantineRow[] }> => ({
  objects: await db.objects.where('spaceId').equals(spaceId).sortBy('key'),
  quarantine: await db.quarantine.where('spaceId').equals(spaceId).sortBy('key'),
})

export const findObjectRow = (db: EchoDatabase, spaceId: string, id: string): Promise<ObjectRow | undefined> =>
  db.objects.get(objectKey(spaceId, id))

export const quarantineOf = (db: EchoDatabase, spaceId: string): Promise<QuarantineRow[]> =>
  db.quarantine.where('spaceId').equals(spaceId).sortBy('key')
