/** Which documents have chunks in storage, read without loading them. */
import { Dexie } from 'dexie'
import type { EchoDatabase } from './echo-database'

/** Those of `ids` with at least one stored chunk (snapshot, incremental or sync state). */
export const storedDocuments = (db: EchoDatabase, ids: readonly string[]): Promise<ReadonlySet<string>> =>
  db.transaction('r', db.chunks, async () => {
    const found = await Promise.all(
      ids.map(async (id) => {
        // Chunk keys are [document id, kind, hash]; the range holds every key under the id.
        const keys = await db.chunks.where('key').between([id], [id, Dexie.maxKey], true, true).limit(1).primaryKeys()
        return keys.length > 0 ? [id] : []
      }),
    )
    return new Set(found.flat())
  })
