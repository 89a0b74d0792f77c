/**
 * Writes to the query index. The index is derived data: rows are computed from
 * documents by the indexer and replaced here in one transaction per batch, so a
 * query never sees half a batch.
 */
import type { EchoDatabase, IndexedDocRow, ObjectRow, QuarantineRow } from './echo-database'

/** What one batch of indexing changes: rows to put, objects to drop, and the heads reached. */
export interface IndexBatch {
  readonly rows: readonly ObjectRow[]
  readonly quarantined: readonly QuarantineRow[]
  /** Keys (`space/id`) no longer in the index or the quarantine (deleted from a document, or now invalid/valid). */
  readonly removedKeys: readonly string[]
  readonly docs: readonly IndexedDocRow[]
}

export const objectKey = (spaceId: string, id: string): string => `${spaceId}/${id}`

export const writeIndexBatch = async (db: EchoDatabase, batch: IndexBatch): Promise<void> => {
  await db.transaction('rw', [db.objects, db.quarantine, db.indexedDocs], async () => {
    const valid = new Set(batch.rows.map((row) => row.key))
    const invalid = new Set(batch.quarantined.map((row) => row.key))
    await db.objects.bulkDelete([...batch.removedKeys, ...invalid])
    await db.quarantine.bulkDelete([...batch.removedKeys, ...valid])
    await db.objects.bulkPut([...batch.rows])
    await db.quarantine.bulkPut([...batch.quarantined])
    await db.indexedDocs.bulkPut([...batch.docs])
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

export const indexedHeads = async (db: EchoDatabase, doc: string): Promise<string | undefined> =>
  (await db.indexedDocs.get(doc))?.heads

export const clearSpaceIndex = async (db: EchoDatabase, spaceId: string): Promise<void> => {
  await db.transaction('rw', [db.objects, db.quarantine, db.indexedDocs], async () => {
    await db.objects.where('spaceId').equals(spaceId).delete()
    await db.quarantine.where('spaceId').equals(spaceId).delete()
    await db.indexedDocs.where('spaceId').equals(spaceId).delete()
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
