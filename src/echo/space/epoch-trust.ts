/**
 * Which replacements in a root's `epochs` may be acted on. Anyone who can write
 * the root (a peer, a removed member's old copy, a space file) can put any
 * manifest there, and collecting deletes documents: so only the manifest of the
 * epoch the membership fold applied counts (its key is the snapshot the Epoch
 * credential signed, its number that epoch's, and it hashes to that key), and of
 * it only entries moving a document of this space into another document this
 * root lists. The fold keeps only the latest epoch: documents an earlier epoch
 * replaced that were not collected before the next epoch stay stored (a leak,
 * never a loss).
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { SpaceId } from '../ids'
import type { EpochRecord } from '../membership/fold'
import type { DocumentStore } from '../document-store'
import type { DocumentId, EpochManifest, ObjectsDoc, RetiredDocument, SpaceDoc } from './documents'
import { toPlain } from './documents'
import { manifestMatches } from './epoch-manifest'

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string')

/** The replacements named by the manifest of the applied epoch, if the root holds that very manifest. */
export const appliedReplacements = async (
  root: SpaceDoc,
  epoch: EpochRecord | undefined,
): Promise<[DocumentId, RetiredDocument][]> => {
  if (epoch === undefined) return []
  const plain = toPlain(root.epochs[epoch.snapshot])
  if (typeof plain !== 'object' || plain === null) return []
  const manifest = plain as EpochManifest
  if (manifest.number !== epoch.number) return []
  const replaced: unknown = manifest.replaced ?? {}
  const documents: unknown = manifest.documents
  if (typeof documents !== 'object' || documents === null || !Object.values(documents).every(isStrings)) return []
  if (typeof replaced !== 'object' || replaced === null) return []
  const entries = Object.entries(replaced as Record<string, unknown>).flatMap(
    ([old, value]): [DocumentId, RetiredDocument][] => {
      const { into, heads } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
      return typeof into === 'string' && isStrings(heads) ? [[old as DocumentId, { into, heads }]] : []
    },
  )
  if (entries.length !== Object.keys(replaced).length) return []
  return (await manifestMatches(manifest, epoch.snapshot)) ? entries : []
}

/** What deciding whether a replacement is this space's own needs. */
export interface ReplacementCheck {
  readonly space: SpaceId
  readonly documents: DocumentStore
  /** The roots of the other spaces here and every document they list. */
  readonly otherSpaces: (space: SpaceId) => Promise<ReadonlySet<DocumentId>>
}

/**
 * Whether `old` may be carried into `into` and deleted: `old` is no longer listed
 * and loads as an object document of this space that no other space here lists,
 * and `into` is an object document this root lists.
 */
export const ownReplacement = async (
  root: SpaceDoc,
  [old, { into }]: [DocumentId, RetiredDocument],
  check: ReplacementCheck,
  others: ReadonlySet<DocumentId>,
): Promise<DocHandle<ObjectsDoc> | undefined> => {
  if (root.documents[old] !== undefined || root.documents[into] !== 'objects' || others.has(old)) return undefined
  let handle: DocHandle<ObjectsDoc>
  try {
    handle = await check.documents.find<ObjectsDoc>(old)
  } catch {
    return undefined
  }
  const doc = handle.doc() as Partial<ObjectsDoc>
  return doc.kind === 'commonplace/objects' && doc.space === check.space ? handle : undefined
}
