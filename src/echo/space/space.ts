/**
 * One open space: its membership (folded from the log in the root document),
 * its objects (written into object documents, read back through the index) and
 * its notes' text documents.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Clock, Observable, Result } from '../../base'
import { Cell, err, ok } from '../../base'
import type { Credential, PublicKey, SpaceRole } from '../../halo'
import type { DocumentStore } from '../document-store'
import { InvalidFields, NotAllowed, ObjectNotFound } from '../errors'
import type { ObjectId, SpaceId } from '../ids'
import type { Indexer } from '../indexer'
import type { Actor } from '../membership/entries'
import { issueMember, issueRemoval } from '../membership/entries'
import type { EpochRecord, MembershipState } from '../membership/fold'
import { foldMembership, roleOf } from '../membership/fold'
import type { Query } from '../query/query'
import type { EchoObject, EchoObjectOf } from '../schema/echo-object'
import { checkFields, validateObject } from '../schema/echo-object'
import type { FieldsOf, ObjectType } from '../schema/object-types'
import { CURRENT_VERSION } from '../schema/object-types'
import type { EchoDatabase } from '../storage/echo-database'
import { findObjectRow, quarantineOf } from '../storage/object-index'
import type { LiveQuery } from '../storage/query-index'
import { liveObjectQuery, runQuery } from '../storage/query-index'
import type { AutomergeUrl, DocumentId, ObjectsDoc, SpaceDoc } from './documents'
import { toPlain, toStored } from './documents'
import type { FieldPatch } from './object-writes'
import { insertObject, patchObject, setDeleted } from './object-writes'
import { compactSpace } from './epoch'
import type { Placement } from './placement'
import { roomLeft } from './placement'
import { newTextDocument, openTextDocument, textOf } from './text'
import type { MarkdownFile } from '../transfer/markdown'
import { noteToMarkdown } from '../transfer/markdown'
import type { NoteText } from './text'

export interface SpaceContext {
  readonly documents: DocumentStore
  readonly db: EchoDatabase
  readonly indexer: Indexer
  readonly clock: Clock
  readonly placement: Placement
}

const WRITERS: readonly SpaceRole[] = ['owner', 'admin', 'editor']

export class Space {
  readonly id: SpaceId
  readonly root: DocHandle<SpaceDoc>
  readonly #context: SpaceContext
  readonly #membership: Cell<MembershipState>
  readonly #objectDocs = new Map<DocumentId, DocHandle<ObjectsDoc>>()
  #filling: { readonly handle: DocHandle<ObjectsDoc>; count: number } | undefined

  constructor(id: SpaceId, root: DocHandle<SpaceDoc>, context: SpaceContext) {
    this.id = id
    this.root = root
    this.#context = context
    this.#membership = new Cell(this.#fold())
    // Only what a change touched is recomputed: a space with 100,000 objects changes its root often.
    root.on('change', ({ patches }) => {
      if (patches.some((patch) => patch.path[0] === 'log')) this.#membership.set(this.#fold())
      const documents = patches.flatMap((patch) =>
        patch.path[0] === 'documents' && patch.path.length === 2 ? [String(patch.path[1]) as DocumentId] : [],
      )
      // Another tab or a peer may have added an object document, or an epoch replaced some.
      if (documents.length > 0) void this.#follow(documents)
    })
  }

  /**
   * Follows the root's list of object documents: loads the new ones (bringing the
   * index up to date with them) and lets go of those an epoch replaced.
   */
  async load(): Promise<void> {
    await this.#follow([...(Object.keys(this.root.doc().documents) as DocumentId[]), ...this.#objectDocs.keys()])
  }

  async #follow(ids: readonly DocumentId[]): Promise<void> {
    const listed = this.root.doc().documents
    const added: DocumentId[] = []
    for (const doc of new Set(ids)) {
      const watched = this.#objectDocs.has(doc)
      if (listed[doc] === 'objects' && !watched) added.push(doc)
      if (listed[doc] === undefined && watched) {
        this.#objectDocs.delete(doc)
        this.#context.indexer.forget(doc)
        if (this.#filling?.handle.documentId === doc) this.#filling = undefined
      }
    }
    await Promise.all(added.map((doc) => this.#watch(doc)))
  }

  /** Records an epoch: object documents compacted to their current state (owners and admins). */
  createEpoch(actor: Actor): Promise<Result<EpochRecord, NotAllowed>> {
    return compactSpace(this, actor, this.#context)
  }

  get name(): string {
    return toPlain(this.root.doc().name) as string
  }

  get personal(): boolean {
    return this.root.doc().personal
  }

  get membership(): Observable<MembershipState> {
    return this.#membership
  }

  roleOf(key: PublicKey): SpaceRole | undefined {
    return roleOf(this.#membership.get(), key)
  }

  rename(actor: Actor, name: string): Result<void, NotAllowed> {
    const allowed = this.#mayWrite(actor)
    if (!allowed.ok) return allowed
    this.root.change((doc) => {
      doc.name = toStored(name) as string
    })
    return ok(undefined)
  }

  /** Admits `subject` with `role` (or changes their role), as the fold's rules allow `actor`. */
  admit(actor: Actor, subject: PublicKey, role: SpaceRole): Credential {
    return this.#append(issueMember({ ...this.#entryBase(actor), subject, role }))
  }

  remove(actor: Actor, subject: PublicKey): Credential {
    return this.#append(issueRemoval({ ...this.#entryBase(actor), subject }))
  }

  /** Appends a signed entry to the log (kept even if the fold ignores it). */
  append(entry: Credential): void {
    this.#append(entry)
  }

  async create<T extends ObjectType>(
    actor: Actor,
    type: T,
    fields: FieldsOf[T],
  ): Promise<Result<EchoObjectOf<T>, NotAllowed | InvalidFields>> {
    const allowed = this.#mayWrite(actor)
    if (!allowed.ok) return allowed
    const checked = checkFields(type, fields)
    if (!checked.ok) return err(new InvalidFields(checked.error))
    const now = this.#context.clock.now()
    const id = crypto.randomUUID().replaceAll('-', '') as ObjectId
    const object = { id, type, version: CURRENT_VERSION[type], fields: checked.value, createdAt: now, updatedAt: now }
    const handle = await this.#documentWithRoom()
    // The object was built from checked fields of type T.
    handle.change((doc) => insertObject(doc, object as EchoObject))
    return ok(object)
  }

  /** A new note with its own text document holding `text`. */
  createNote(
    actor: Actor,
    title: string,
    text = '',
  ): Promise<Result<EchoObjectOf<'note'>, NotAllowed | InvalidFields>> {
    const allowed = this.#mayWrite(actor)
    if (!allowed.ok) return Promise.resolve(allowed)
    const textDoc = newTextDocument(this.#context.documents, text)
    this.root.change((doc) => {
      doc.documents[textDoc.documentId] = 'text'
    })
    return this.create(actor, 'note', { title, text: textDoc.url })
  }

  async update<T extends ObjectType>(
    actor: Actor,
    id: ObjectId,
    type: T,
    patch: FieldPatch<T>,
  ): Promise<Result<EchoObjectOf<T>, NotAllowed | InvalidFields | ObjectNotFound>> {
    const found = await this.#find(actor, id)
    if (!found.ok) return found
    const { handle, object } = found.value
    if (object.type !== type) return err(new InvalidFields(`object ${id} is a ${object.type}, not a ${type}`))
    const merged = { ...object.fields, ...patch }
    for (const [name, value] of Object.entries(patch)) if (value === undefined) Reflect.deleteProperty(merged, name)
    const checked = checkFields(type, merged)
    if (!checked.ok) return err(new InvalidFields(checked.error))
    const now = this.#context.clock.now()
    const migrated = this.#storedVersion(handle, id) !== object.version
    handle.change((doc) => patchObject(doc, object, patch, now, migrated))
    return ok({ ...object, fields: checked.value, updatedAt: now } as EchoObjectOf<T>)
  }

  /** Soft delete: the object stays in its document with `deleted: true` and can be restored. */
  async delete(actor: Actor, id: ObjectId): Promise<Result<void, NotAllowed | ObjectNotFound>> {
    return this.#setDeleted(actor, id, true)
  }

  async restore(actor: Actor, id: ObjectId): Promise<Result<void, NotAllowed | ObjectNotFound>> {
    return this.#setDeleted(actor, id, false)
  }

  /** The object as indexed (undefined when unknown or quarantined). */
  async get(id: ObjectId): Promise<EchoObject | undefined> {
    await this.#context.indexer.settled()
    return (await findObjectRow(this.#context.db, this.id, id))?.record
  }

  /** Follows a reference: the object `id` names, unless it is missing, quarantined or deleted. */
  async resolve(id: ObjectId): Promise<EchoObject | undefined> {
    const object = await this.get(id)
    return object?.deleted === true ? undefined : object
  }

  query(query: Query): LiveQuery {
    return liveObjectQuery(this.#context.db, this.id, query)
  }

  /** A one-off query, after pending index updates are written. */
  async find(query: Query): Promise<EchoObject[]> {
    await this.#context.indexer.settled()
    return runQuery(this.#context.db, this.id, query)
  }

  quarantined() {
    return quarantineOf(this.#context.db, this.id)
  }

  /** The note's text document, for an editor binding (CodeMirror on `handle` at `path`). */
  async noteText(id: ObjectId): Promise<Result<NoteText, ObjectNotFound>> {
    const note = await this.get(id)
    if (note?.type !== 'note') return err(new ObjectNotFound(id))
    return ok(await openTextDocument(this.#context.documents, note.fields.text as AutomergeUrl))
  }

  /** The note as a Markdown file (title as heading, text as body). */
  async noteMarkdown(id: ObjectId): Promise<Result<MarkdownFile, ObjectNotFound>> {
    const note = await this.get(id)
    if (note?.type !== 'note') return err(new ObjectNotFound(id))
    const text = await openTextDocument(this.#context.documents, note.fields.text as AutomergeUrl)
    return ok(noteToMarkdown(note, textOf(text.handle)))
  }

  objectDocuments(): readonly DocHandle<ObjectsDoc>[] {
    return [...this.#objectDocs.values()]
  }

  async #watch(doc: DocumentId): Promise<DocHandle<ObjectsDoc>> {
    const handle = await this.#context.documents.find<ObjectsDoc>(doc)
    this.#objectDocs.set(doc, handle)
    await this.#context.indexer.watchObjects(this.id, handle)
    return handle
  }

  /** The document the next object goes into; counts are kept, since counting keys per write costs O(n). */
  async #documentWithRoom(): Promise<DocHandle<ObjectsDoc>> {
    const { placement } = this.#context
    if (this.#filling === undefined) {
      for (const handle of this.#objectDocs.values()) {
        const count = Object.keys(handle.doc().objects).length
        if (roomLeft(placement, count) > 0) this.#filling = { handle, count }
      }
    }
    if (this.#filling !== undefined && roomLeft(placement, this.#filling.count) > 0) {
      this.#filling.count++
      return this.#filling.handle
    }
    const handle = this.#context.documents.create<ObjectsDoc>({
      kind: 'commonplace/objects',
      space: this.id,
      objects: {},
    })
    // Known at once, so that creates running concurrently fill this document rather than each making one.
    this.#objectDocs.set(handle.documentId, handle)
    this.#filling = { handle, count: 1 }
    this.root.change((doc) => {
      doc.documents[handle.documentId] = 'objects'
    })
    return this.#watch(handle.documentId)
  }

  async #find(actor: Actor, id: ObjectId) {
    const allowed = this.#mayWrite(actor)
    if (!allowed.ok) return allowed
    await this.#context.indexer.settled()
    const row = await findObjectRow(this.#context.db, this.id, id)
    const handle = row === undefined ? undefined : this.#objectDocs.get(row.doc as DocumentId)
    const raw = handle?.doc().objects[id]
    const checked = raw === undefined ? undefined : validateObject(toPlain(raw))
    if (handle === undefined || checked?.ok !== true) return err(new ObjectNotFound(id))
    return ok({ handle, object: checked.value })
  }

  #storedVersion(handle: DocHandle<ObjectsDoc>, id: ObjectId): unknown {
    const record = handle.doc().objects[id]
    return typeof record === 'object' && record !== null && 'version' in record ? record.version : undefined
  }

  async #setDeleted(actor: Actor, id: ObjectId, deleted: boolean): Promise<Result<void, NotAllowed | ObjectNotFound>> {
    const found = await this.#find(actor, id)
    if (!found.ok) return found
    const now = this.#context.clock.now()
    found.value.handle.change((doc) => setDeleted(doc, id, deleted, now))
    return ok(undefined)
  }

  #mayWrite(actor: Actor): Result<void, NotAllowed> {
    const role = this.roleOf(actor.identity)
    if (role !== undefined && WRITERS.includes(role)) return ok(undefined)
    return err(new NotAllowed(`${actor.identity} is ${role ?? 'not a member'} in this space and may not write`))
  }

  #entryBase(actor: Actor) {
    return { actor, space: this.id, parents: this.#membership.get().heads, clock: this.#context.clock }
  }

  #append(entry: Credential): Credential {
    this.root.change((doc) => {
      doc.log[entry.id] = toStored(entry)
    })
    return entry
  }

  #fold(): MembershipState {
    const log = Object.values(this.root.doc().log).map(toPlain)
    return foldMembership(this.id, log, this.#context.clock)
  }
}
