/**
 * A space in one file: its root document and every data document, each as its
 * full Automerge history, so importing gives back the very same documents (same
 * ids, same heads). The file is JSON; document bytes are base64url, so a file
 * this app wrote is ASCII and its length in characters is its size in bytes.
 *
 * Reading a file only decodes it; `space-file-check.ts` decides whether it may
 * touch anything here, and `Echo.importSpace` imports only after that.
 */
import { load, stats } from '@automerge/automerge/slim'
import type { Doc } from '@automerge/automerge/slim'
import { isValidDocumentId } from '@automerge/automerge-repo/slim'
import * as v from 'valibot'
import type { Result } from '../../base'
import { err, fromBase64Url, ok, toBase64Url } from '../../base'
import type { DocumentStore } from '../document-store'
import { DocumentCorrupt, InvalidSpaceFile, SpaceFileTooLarge, SpaceNotAllHere } from '../errors'
import type { SpaceId } from '../ids'
import type { DocumentId, SpaceDoc } from '../space/documents'

/** A document of unknown shape, as loaded from bytes nobody vouched for. */
export type RawDoc = Doc<Record<string, unknown>>

const SPACE_FILE_FORMAT = 'commonplace/space/v1'

/**
 * The largest space file read, in bytes (= characters). Reading one costs about
 * four times its size in memory (text, parsed JSON, bytes, loaded documents)
 * before anything is imported; identity files are capped at 4 MiB.
 */
export const MAX_SPACE_FILE_BYTES = 128 * 1024 * 1024

/**
 * Automerge's run-length encoding lets a few bytes stand for millions of
 * operations: 4 KB loading to 4M ops took 540 MB and 12 s, a 4.3 KB file held a
 * 2M-character root. Each document is loaded once here, alone, anyway; a file
 * holding more operations than these caps is refused before the repo loads it a
 * second time and stores it. Pasted prose measured 6-10 ops per document byte,
 * typed text 14 (about 10 per character of base64): 64 per file character leaves
 * room. 4M ops is about 540 MB loaded: a bigger genuine space compacts (an epoch)
 * before it is exported. The first load itself is bounded only by the byte cap.
 */
const MAX_OPS_PER_FILE_CHARACTER = 64
const MAX_SPACE_FILE_OPS = 4_000_000

const SpaceFile = v.strictObject({
  format: v.literal(SPACE_FILE_FORMAT),
  space: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  root: v.string(),
  documents: v.record(v.string(), v.string()),
})

/**
 * Serializes the space whose root document is `root`, with every document it lists; refused at once while any of
 * them is not here (`present`: stored or loaded), where the export would wait for each from peers (60 s apiece
 * when none has it).
 */
export const exportSpaceFile = async (
  documents: DocumentStore,
  present: (ids: readonly DocumentId[]) => Promise<ReadonlySet<DocumentId>>,
  space: SpaceId,
  root: DocumentId,
): Promise<Result<string, SpaceNotAllHere>> => {
  const rootHandle = await documents.find<SpaceDoc>(root)
  // Sorted, so the same space always gives the same file.
  // A key that is no document id (a member may write any string) names nothing to export.
  const ids = [root, ...Object.keys(rootHandle.doc().documents).filter(isValidDocumentId).sort()]
  const here = await present(ids)
  const missing = ids.filter((id) => !here.has(id)).length
  if (missing > 0) return err(new SpaceNotAllHere(missing))
  const encoded: Record<string, string> = {}
  for (const id of ids) {
    const bytes = await documents.exportDocument(id)
    if (bytes !== undefined) encoded[id] = toBase64Url(bytes)
  }
  return ok(JSON.stringify({ format: SPACE_FILE_FORMAT, space, root, documents: encoded }))
}

/** One document of a file: its bytes, and the document they load to (loaded on its own, away from the repo). */
export interface FileDocument {
  readonly bytes: Uint8Array
  readonly doc: RawDoc
}

/** A decoded space file: nothing in it has been checked against this device yet. */
export interface SpaceFileContents {
  readonly space: SpaceId
  readonly root: DocumentId
  readonly documents: ReadonlyMap<DocumentId, FileDocument>
}

/** Decodes a space file and loads each document on its own; touches no repo and no storage. */
export const readSpaceFile = (
  text: string,
  limit = MAX_SPACE_FILE_BYTES,
): Result<SpaceFileContents, InvalidSpaceFile | DocumentCorrupt | SpaceFileTooLarge> => {
  if (text.length > limit) return err(new SpaceFileTooLarge(text.length, limit))
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return err(new InvalidSpaceFile('not a space file (not JSON)', { cause: error }))
  }
  const parsed = v.safeParse(SpaceFile, json)
  if (!parsed.success) return err(new InvalidSpaceFile(`not a space file: ${v.summarize(parsed.issues)}`))
  const file = parsed.output
  const documents = new Map<DocumentId, FileDocument>()
  const maxOps = Math.min(MAX_SPACE_FILE_OPS, MAX_OPS_PER_FILE_CHARACTER * text.length)
  let ops = 0
  for (const [id, data] of Object.entries(file.documents)) {
    if (!isValidDocumentId(id)) return err(new InvalidSpaceFile(`"${id.slice(0, 64)}" is not a document id`))
    const bytes = fromBase64Url(data)
    if (bytes === undefined) return err(new InvalidSpaceFile(`document ${id} is not base64url`))
    const loaded = loadAlone(bytes)
    if (!loaded.ok) return loaded
    ops += stats(loaded.value).numOps
    if (ops > maxOps) {
      return err(new InvalidSpaceFile(`the file unpacks to over ${String(maxOps)} operations, too many for its size`))
    }
    documents.set(id, { bytes, doc: loaded.value })
  }
  if (!isValidDocumentId(file.root) || !documents.has(file.root)) {
    return err(new InvalidSpaceFile('the root document of the space file is missing'))
  }
  return ok({ space: file.space as SpaceId, root: file.root, documents })
}

const loadAlone = (bytes: Uint8Array): Result<RawDoc, DocumentCorrupt> => {
  try {
    return ok(load<Record<string, unknown>>(bytes))
  } catch (error) {
    return err(new DocumentCorrupt(error instanceof Error ? error.message : String(error), { cause: error }))
  }
}
