/**
 * Collecting the object documents an epoch replaced. It runs once per start of a
 * space, after its documents loaded: only then is it known that the root naming
 * the replacements and the replacements themselves are here, and a successful
 * flush puts them on disk before what they replace is deleted. Documents retired
 * in this session wait for the next start. Late changes in an old document are
 * carried into its replacement first. Callers hold the objects lock exclusive.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Result } from '../../base'
import { ok } from '../../base'
import type { DocumentStore } from '../document-store'
import type { StorageFailed, StorageQuotaExceeded } from '../errors'
import type { EchoDatabase } from '../storage/echo-database'
import { storedDocuments } from '../storage/stored-documents'
import { carryForward } from './carry-forward'
import type { DocumentId, ObjectsDoc, RetiredDocument, SpaceDoc } from './documents'

export interface CollectContext {
  readonly documents: DocumentStore
  readonly db: EchoDatabase
}

/** Old documents no longer listed whose replacement is listed and loaded here. */
const collectable = (
  root: DocHandle<SpaceDoc>,
  documents: DocumentStore,
  skip: ReadonlySet<DocumentId>,
): [DocumentId, RetiredDocument][] => {
  const doc = root.doc()
  const listed = doc.documents
  return Object.values(doc.epochs).flatMap((manifest) =>
    Object.entries(manifest.replaced ?? {}).flatMap(([old, retired]): [DocumentId, RetiredDocument][] => {
      const into = retired.into as DocumentId
      const ready = listed[old] === undefined && listed[into] === 'objects' && documents.isLoaded(into)
      return ready && !skip.has(old as DocumentId) ? [[old as DocumentId, retired]] : []
    }),
  )
}

/** Deletes the retired documents still stored here; resolves with how many went. */
export const collectRetired = async (
  root: DocHandle<SpaceDoc>,
  context: CollectContext,
  skip: ReadonlySet<DocumentId>,
): Promise<Result<number, StorageQuotaExceeded | StorageFailed>> => {
  const candidates = collectable(root, context.documents, skip)
  if (candidates.length === 0) return ok(0)
  const stored = await storedDocuments(
    context.db,
    candidates.map(([old]) => old),
  )
  const retired = candidates.filter(([old]) => stored.has(old))
  if (retired.length === 0) return ok(0)
  // Anything written into an old document after the epoch took its heads moves into the replacement first.
  for (const [old, { into, heads }] of retired) {
    carryForward(
      await context.documents.find<ObjectsDoc>(old),
      heads,
      await context.documents.find<ObjectsDoc>(into as DocumentId),
    )
  }
  // The root and the replacements reach the disk before anything they replace is deleted.
  const flushed = await context.documents.flush()
  if (!flushed.ok) return flushed
  for (const [old] of retired) {
    const removed = await context.documents.removeStored(old)
    if (!removed.ok) return removed
  }
  return ok(retired.length)
}
