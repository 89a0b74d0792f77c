/**
 * A space in one file: its root document and every data document, each as its
 * full Automerge history, so importing gives back the very same documents (same
 * ids, same heads). The file is JSON; document bytes are base64url.
 */
import * as v from 'valibot'
import type { Result } from '../../base'
import { err, fromBase64Url, ok, toBase64Url } from '../../base'
import type { DocumentStore } from '../document-store'
import { checkDocument } from '../document-store'
import { InvalidSpaceFile } from '../errors'
import type { DocumentCorrupt } from '../errors'
import type { SpaceId } from '../ids'
import type { DocumentId, SpaceDoc } from '../space/documents'
import { toPlain } from '../space/documents'

export const SPACE_FILE_FORMAT = 'commonplace/space/v1'

const SpaceFile = v.strictObject({
  format: v.literal(SPACE_FILE_FORMAT),
  space: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  root: v.string(),
  documents: v.record(v.string(), v.string()),
})

/** Serializes the space whose root document is `root`, with every document it lists. */
export const exportSpaceFile = async (documents: DocumentStore, space: SpaceId, root: DocumentId): Promise<string> => {
  const rootHandle = await documents.find<SpaceDoc>(root)
  // Sorted, so the same space always gives the same file.
  const ids = [root, ...(Object.keys(rootHandle.doc().documents).sort() as DocumentId[])]
  const encoded: Record<string, string> = {}
  for (const id of ids) {
    const bytes = await documents.exportDocument(id)
    if (bytes !== undefined) encoded[id] = toBase64Url(bytes)
  }
  return JSON.stringify({ format: SPACE_FILE_FORMAT, space, root, documents: encoded })
}

export interface ImportedSpace {
  readonly space: SpaceId
  readonly root: DocumentId
  readonly name: string
  readonly personal: boolean
}

/** Checks a space file and loads its documents; nothing is imported unless every document loads. */
export const importSpaceFile = (
  documents: DocumentStore,
  text: string,
): Result<ImportedSpace, InvalidSpaceFile | DocumentCorrupt> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return err(new InvalidSpaceFile('not a space file (not JSON)', { cause: error }))
  }
  const parsed = v.safeParse(SpaceFile, json)
  if (!parsed.success) return err(new InvalidSpaceFile(`not a space file: ${v.summarize(parsed.issues)}`))
  const file = parsed.output
  const binaries = Object.entries(file.documents).map(([id, data]) => [id, fromBase64Url(data)] as const)
  if (binaries.some(([, bytes]) => bytes === undefined) || file.documents[file.root] === undefined) {
    return err(new InvalidSpaceFile('a document of the space file is missing or not base64url'))
  }
  for (const [, bytes] of binaries) {
    const checked = bytes === undefined ? ok(undefined) : checkDocument(bytes)
    if (!checked.ok) return checked
  }
  let root: SpaceDoc | undefined
  for (const [id, bytes] of binaries) {
    if (bytes === undefined) continue
    const imported = documents.importDocument<SpaceDoc>(bytes, id as DocumentId)
    if (!imported.ok) return imported
    if (id === file.root) root = imported.value.doc()
  }
  if (root?.kind !== 'commonplace/space' || root.space !== file.space) {
    return err(new InvalidSpaceFile('the root document is not the root of this space'))
  }
  return ok({
    space: file.space as SpaceId,
    root: file.root as DocumentId,
    name: toPlain(root.name) as string,
    personal: root.personal,
  })
}
