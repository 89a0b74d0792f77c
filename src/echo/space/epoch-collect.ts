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
import type { StorageFailed, StorageQuotaExceeded } from '../errors'
import type { EpochRecord } from '../membership/fold'
import type { EchoDatabase } from '../storage/echo-database'
import { storedDocuments } from '../storage/stored-documents'
import { carryForward } from './carry-forward'
import type { DocumentId, ObjectsDoc, RetiredDocument, SpaceDoc } from './documents'
import type { ReplacementCheck } from './epoch-trust'
import { appliedReplacements, ownReplacement } from './epoch-trust'

export interface CollectContext extends ReplacementCheck {
  readonly db: EchoDatabase
}

/** Deletes the retired documents still stored here; resolves with how many went. */
export const collectRetired = async (
  root: DocHandle<SpaceDoc>,
  epoch: EpochRecord | undefined,
  context: CollectContext,
  skip: ReadonlySet<DocumentId>,
): Promise<Result<number, StorageQuotaExceeded | StorageFailed>> => {
  const doc = root.doc()
  // Only the applied epoch's manifest, and only replacements loaded here (`epoch-trust.ts`).
  const candidates = (await appliedReplacements(doc, epoch)).filter(
    ([old, { into }]) => !skip.has(old) && context.documents.isLoaded(into as DocumentId),
  )
  if (candidates.length === 0) return ok(0)
  const stored = await storedDocuments(
    context.db,
    candidates.map(([old]) => old),
  )
  const others = await context.otherSpaces(context.space)
  const retired: [DocumentId, RetiredDocument, DocHandle<ObjectsDoc>][] = []
  for (const candidate of candidates) {
    if (!stored.has(candidate[0])) continue
    const old = await ownReplacement(doc, candidate, context, others)
    if (old !== undefined) retired.push([...candidate, old])
  }
  if (retired.length === 0) return ok(0)
  // Anything written into an old document after the epoch took its heads moves into the replacement first.
  for (const [, { into, heads }, old] of retired) {
    carryForward(old, heads, await context.documents.find<ObjectsDoc>(into as DocumentId))
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
