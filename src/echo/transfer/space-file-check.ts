/**
 * Whether a decoded space file may be imported here, and what exactly: it runs
 * before anything touches the repo or storage, so a refused file changes nothing.
 *
 * The rules. The root is the root of `file.space`: a space root naming that
 * space, the very root registered here if the space is here, and otherwise one
 * whose log holds a genesis signed by the space key. Every other document is
 * listed by the file's root. Every document the root lists after merging is in
 * the file or already a document of this space here (the file is complete). A
 * document new to this space is new to this device: not a document of another
 * space, not stored or loaded here at all. Object documents name this space.
 * The root's epochs name no document of another space here.
 */
import { clone, merge } from '@automerge/automerge/slim'
import { isValidDocumentId } from '@automerge/automerge-repo/slim'
import type { Result } from '../../base'
import { err, ok } from '../../base'
import { InvalidSpaceFile } from '../errors'
import type { SpaceId } from '../ids'
import { foldMembership } from '../membership/fold'
import type { DocumentId, DocumentRole } from '../space/documents'
import { DOCUMENT_ROLES, toPlain } from '../space/documents'
import { spaceNameIn } from '../space/root-fields'
import type { FileDocument, RawDoc, SpaceFileContents } from './space-file'

/** What the check needs to know about this device; read only. */
export interface LocalDocuments {
  /** The root document registered for `space` here. */
  registeredRoot(space: SpaceId): Promise<DocumentId | undefined>
  /** The document as it is here, if it can be loaded. */
  current(id: DocumentId): Promise<RawDoc | undefined>
  /** The roots of the other spaces here and every document they list. */
  ofOtherSpaces(space: SpaceId): Promise<ReadonlySet<DocumentId>>
  /** Those of `ids` with anything stored or loaded here. */
  present(ids: readonly DocumentId[]): Promise<ReadonlySet<DocumentId>>
}

/** What to import once the file passed: documents of its space only. */
export interface ImportPlan {
  readonly space: SpaceId
  readonly root: DocumentId
  readonly name: string
  readonly personal: boolean
  /** True when the space is not here yet (it gets registered). */
  readonly isNew: boolean
  /** The root first; `existing` documents are already this space's documents here (load them before merging). */
  readonly imports: readonly { readonly id: DocumentId; readonly bytes: Uint8Array; readonly existing: boolean }[]
}

type Refusal = Result<never, InvalidSpaceFile>
const refuse = (message: string): Refusal => err(new InvalidSpaceFile(message))

const record = (value: unknown): Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}

/** The fields a space root has (`documents.ts`); anything else in a file's root is refused. */
const ROOT_FIELDS: ReadonlySet<string> = new Set([
  'kind',
  'space',
  'name',
  'personal',
  'log',
  'documents',
  'epochs',
  'identity',
  'spaces',
  'spaceKeys',
  // Builds before invitation rooms came from the invite key kept each invitation's K here; read by nothing now,
  // accepted so their files still import.
  'invites',
  // Shared spaces: each invitation's rendezvous secret (space/invitation-rooms.ts).
  'inviteRooms',
])

/** The longest space name a file may carry: a name is shown in lists, not a place for data. */
export const MAX_SPACE_NAME_LENGTH = 4096

export const isSpaceRoot = (doc: RawDoc, space: SpaceId): boolean => {
  const root = record(doc)
  const name = toPlain(root.name)
  return (
    root.kind === 'commonplace/space' &&
    root.space === space &&
    typeof name === 'string' &&
    name.length <= MAX_SPACE_NAME_LENGTH &&
    Object.keys(root).every((field) => ROOT_FIELDS.has(field))
  )
}

/**
 * The root's list of data documents, or undefined when an entry is not a known role. A key that is no document id
 * is left out: a member may write any string there, no document can have it, and the export leaves it out too.
 */
export const listed = (doc: RawDoc | undefined): ReadonlyMap<DocumentId, DocumentRole> | undefined => {
  const entries = Object.entries(record(record(doc).documents))
  if (entries.some(([, role]) => !DOCUMENT_ROLES.includes(role as DocumentRole))) return undefined
  return new Map(entries.filter(([id]) => isValidDocumentId(id)) as [DocumentId, DocumentRole][])
}

/** Only the genesis entries are folded: enough to learn that the space key signed this log, and cheap. */
export const hasGenesis = (doc: RawDoc, space: SpaceId): boolean => {
  const geneses = Object.values(record(record(doc).log))
    .map(toPlain)
    .filter((entry) => record(record(entry).assertion).kind === 'SpaceGenesis')
  return foldMembership(space, geneses).genesis !== undefined
}

/** Every document the root's epoch manifests name: what they list, replace, or replace with. */
const namedByEpochs = (doc: RawDoc): DocumentId[] =>
  Object.values(record(record(doc).epochs)).flatMap((manifest) => {
    const replaced = record(record(manifest).replaced)
    return [
      ...Object.keys(record(record(manifest).documents)),
      ...Object.keys(replaced),
      ...Object.values(replaced).map((retired) => String(record(retired).into)),
    ] as DocumentId[]
  })

const mergedWith = (local: RawDoc | undefined, file: FileDocument): RawDoc =>
  local === undefined ? file.doc : merge(clone(local), clone(file.doc))

export const checkSpaceFile = async (
  file: SpaceFileContents,
  here: LocalDocuments,
): Promise<Result<ImportPlan, InvalidSpaceFile>> => {
  const { space, root } = file
  const fileRoot = file.documents.get(root)
  if (fileRoot === undefined || !isSpaceRoot(fileRoot.doc, space)) {
    return refuse('the root document is not the root of this space')
  }
  const registered = await here.registeredRoot(space)
  if (registered !== undefined && registered !== root) {
    return refuse('this space is here with another root document; the file is not a copy of it')
  }
  if (registered === undefined && !hasGenesis(fileRoot.doc, space)) {
    return refuse('the root document holds no genesis signed by the space key')
  }
  const localRoot = registered === undefined ? undefined : await here.current(root)
  const mergedRoot = mergedWith(localRoot, fileRoot)
  const fileListed = listed(fileRoot.doc)
  const mergedListed = listed(mergedRoot)
  const localListed = listed(localRoot) ?? new Map<DocumentId, DocumentRole>()
  if (fileListed === undefined || mergedListed === undefined || !isSpaceRoot(mergedRoot, space)) {
    return refuse('the root document is not the root of this space')
  }
  for (const id of file.documents.keys()) {
    if (id !== root && !fileListed.has(id)) return refuse(`document ${id} is not listed by the space's root`)
  }
  for (const id of mergedListed.keys()) {
    if (!file.documents.has(id) && !localListed.has(id)) return refuse(`the file is incomplete: ${id} is missing`)
  }
  // A document the root here no longer lists (replaced by a later epoch here) is left out.
  const ids = [root, ...[...file.documents.keys()].filter((id) => mergedListed.has(id))]
  const others = await here.ofOtherSpaces(space)
  const taken = ids.find((id) => others.has(id))
  if (taken !== undefined) return refuse(`document ${taken} belongs to another space here`)
  // An epoch naming another space's document would have it carried off and deleted at the next start.
  const claimed = namedByEpochs(mergedRoot).find((id) => others.has(id))
  if (claimed !== undefined) return refuse(`the space's epochs name document ${claimed} of another space here`)
  const newcomers = ids.filter((id) => !localListed.has(id) && id !== registered)
  const [present] = await here.present(newcomers)
  if (present !== undefined) return refuse(`document ${present} is already here, but not in this space`)
  for (const [id, role] of mergedListed) {
    const fileDoc = file.documents.get(id)
    if (role !== 'objects' || fileDoc === undefined) continue
    const doc = record(mergedWith(localListed.has(id) ? await here.current(id) : undefined, fileDoc))
    if (doc.kind !== 'commonplace/objects' || doc.space !== space) {
      return refuse(`document ${id} is not an object document of this space`)
    }
  }
  const plainRoot = record(toPlain(mergedRoot))
  return ok({
    space,
    root,
    // Kept in the space list as the space itself shows it (root-fields.ts), from its first write.
    name: spaceNameIn(plainRoot.name, MAX_SPACE_NAME_LENGTH),
    personal: plainRoot.personal === true,
    isNew: registered === undefined,
    imports: ids.flatMap((id) => {
      const bytes = file.documents.get(id)?.bytes
      return bytes === undefined ? [] : [{ id, bytes, existing: id === registered || localListed.has(id) }]
    }),
  })
}
