/**
 * Which space each document belongs to on this device, kept in storage and written once: the first answer stored
 * for a document stays (`place` hands back the stored one), so no root's listing, order of opening or other tab
 * moves it later. See `document-spaces.ts` for when an answer is made.
 */
import type { EchoDatabase, SpaceRow } from './echo-database'
import { allSpaces } from './space-registry'
import { storedDocuments } from './stored-documents'

export interface DocumentSpaceStore {
  /** Every stored answer, document -> space (a database from before answers were stored is filled in once). */
  load(): Promise<Map<string, string>>
  /** Stores each answer not stored yet, in one transaction; resolves with the stored answer of each. */
  place(answers: ReadonlyMap<string, string>): Promise<Map<string, string>>
  /** Forgets the answers of a space that leaves this device (`Echo.forgetAdopted`). */
  forget(space: string): Promise<void>
}

export interface RegisteredRoots {
  /** A registered space's root document id. */
  readonly rootOf: (row: SpaceRow) => string
  /** The ids its root lists now (empty when the root cannot be read). */
  readonly listedBy: (row: SpaceRow) => Promise<readonly string[]>
}

/**
 * The answers a device that stored documents before this table existed gets once: each root to its space, then
 * each stored document a root lists to the space registered here first among those listing it (the one it was
 * fetched for: a later space could not have had it placed here before it came).
 */
const backfill = async (db: EchoDatabase, roots: RegisteredRoots): Promise<Map<string, string>> => {
  const rows = (await allSpaces(db)).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
  const answers = new Map<string, string>()
  for (const row of rows) if (!answers.has(roots.rootOf(row))) answers.set(roots.rootOf(row), row.id)
  for (const row of rows) {
    const listed = (await roots.listedBy(row)).filter((doc) => !answers.has(doc))
    for (const doc of await storedDocuments(db, listed)) if (!answers.has(doc)) answers.set(doc, row.id)
  }
  return answers
}

export const documentSpaceStore = (db: EchoDatabase, roots: RegisteredRoots): DocumentSpaceStore => {
  const place = (answers: ReadonlyMap<string, string>): Promise<Map<string, string>> =>
    db.transaction('rw', db.documentSpaces, async () => {
      const wanted = [...answers]
      const stored = await db.documentSpaces.bulkGet(wanted.map(([doc]) => doc))
      const result = new Map<string, string>()
      const added = wanted.flatMap(([doc, spaceId], at) => {
        const row = stored[at]
        result.set(doc, row?.spaceId ?? spaceId)
        return row === undefined ? [{ doc, spaceId }] : []
      })
      await db.documentSpaces.bulkAdd(added)
      return result
    })
  return {
    load: async () => {
      if ((await db.documentSpaces.count()) === 0 && (await db.spaces.count()) > 0)
        await place(await backfill(db, roots))
      const rows = await db.documentSpaces.toArray()
      return new Map(rows.map((row) => [row.doc, row.spaceId]))
    },
    place,
    forget: async (space) => {
      await db.documentSpaces.where('spaceId').equals(space).delete()
    },
  }
}
