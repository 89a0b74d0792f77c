/** The read-only view of this device that `checkSpaceFile` judges a file against. */
import { parseAutomergeUrl } from '@automerge/automerge-repo/slim'
import type { DocumentStore } from '../document-store'
import type { AutomergeUrl, DocumentId } from '../space/documents'
import type { EchoDatabase } from '../storage/echo-database'
import { allSpaces, getSpace } from '../storage/space-registry'
import { storedDocuments } from '../storage/stored-documents'
import type { RawDoc } from './space-file'
import type { LocalDocuments } from './space-file-check'

const rootOf = (rootUrl: string): DocumentId => parseAutomergeUrl(rootUrl as AutomergeUrl).documentId

export const localDocuments = (db: EchoDatabase, documents: DocumentStore): LocalDocuments => {
  const current = async (id: DocumentId): Promise<RawDoc | undefined> => {
    try {
      return (await documents.find<Record<string, unknown>>(id)).doc()
    } catch {
      // Listed but not here (unavailable): there is nothing here to merge with.
      return undefined
    }
  }
  return {
    registeredRoot: async (space) => {
      const row = await getSpace(db, space)
      return row === undefined ? undefined : rootOf(row.rootUrl)
    },
    current,
    ofOtherSpaces: async (space) => {
      const taken = new Set<DocumentId>()
      for (const row of await allSpaces(db)) {
        if (row.id === space) continue
        const root = rootOf(row.rootUrl)
        taken.add(root)
        const doc = (await current(root)) as { documents?: unknown } | undefined
        const list = typeof doc?.documents === 'object' && doc.documents !== null ? doc.documents : {}
        for (const id of Object.keys(list)) taken.add(id as DocumentId)
      }
      return taken
    },
    present: async (ids) => {
      const stored = await storedDocuments(db, ids)
      return new Set(ids.filter((id) => stored.has(id) || documents.isLoaded(id)))
    },
  }
}
