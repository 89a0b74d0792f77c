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

/** What `createMany` takes: tasks with their fields, notes with their title and initial text. */
export type Draft =
  | { readonly type: 'task'; readonly fields: FieldsOf['task'] }
  | { readonly type: 'note'; readonly title: string; readonly text?: string }

type ObjectDraft = { [T in ObjectType]: { readonly type: T; readonly fields: FieldsOf[T] } }[ObjectType]

/** A well-formed text URL, to check a note's title before its text document is made. */
const noteProbe = { text: 'automerge:probe' }

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
    const created = await this.#insert(actor, [{ type, fields } as ObjectDraft])
    // One draft of type T in, one object of type T out.
    return created.ok ? ok(created.value[0] as EchoObjectOf<T>) : created
  }

  /** A new note with its own text document holding `text`. */
  async createNote(
    actor: Actor,
    title: string,
    text = '',
  ): Promise<Result<EchoObjectOf<'note'>, NotAllowed | InvalidFields>> {
    const created = await this.createMany(actor, [{ type: 'note', title, text }])
    return created.ok ? ok(created.value[0] as EchoObjectOf<'note'>) : created
  }

  /**
   * Creates many objects with one change per object document (an import, a
   * paste): much cheaper than one change each. Nothing is written unless every
   * draft is valid.
   */
  async createMany(actor: Actor, drafts: readonly Draft[]): Promise<Result<EchoObject[], NotAllowed | InvalidFields>> {
    const allowed = this.#mayWrite(actor)
    if (!allowed.ok) return allowed
    // Every draft is checked before any text document is made, so a refusal leaves nothing behind.
    for (const draft of drafts) {
      const checked =
        draft.type === 'note'
          ? checkFields('note', { ...noteProbe, title: draft.title })
          : checkFields('task', draft.fields)
      if (!checked.ok) return err(new InvalidFields(checked.error))
    }
    const texts: DocumentId[] = []
    const objects = drafts.map((draft): ObjectDraft => {
      if (draft.type !== 'note') return draft
      const textDoc = newTextDocument(this.#context.documents, draft.text ?? '')
      texts.push(textDoc.documentId)
      return { type: 'note', fields: { title: draft.title, text: textDoc.url } }
    })
    if (texts.length > 0) {
      this.root.change((doc) => {
        for (const id of texts) doc.documents[id] = 'text'
      })
    }
    return this.#insert(actor, objects)
  }

  async #insert(
    actor: Actor,
    drafts: readonly ObjectDraft[],
  ): Promise<Result<EchoObject[], NotAllowed | InvalidFields>> {
    const allowed = this.#mayWrite(actor)
    if (!allowed.ok) return allowed
    const now = this.#context.clock.now()
    const objects: EchoObject[] = []
    for (const { type, fields } of drafts) {
      const checked = checkFields(type, fields)
      if (!checked.ok) return err(new InvalidFields(checked.error))
      const id = crypto.randomUUID().replaceAll('-', '') as ObjectId
      // Fields checked against the schema of `type`.
      objects.push({
        id,
        type,
        version: CURRENT_VERSION[type],
        fields: checked.value,
        createdAt: now,
        updatedAt: now,
      } as EchoObject)
    }
    for (let next = 0; next < objects.length;) {
      const { handle, taken } = await this.#reserve(objects.length - next)
      const batch = objects.slice(next, next + taken)
      handle.change((doc) => {
        for (const object of batch) insertObject(doc, object)
      })
      next += taken
    }
    return ok(objects)
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

  /**
   * A document for up to `wanted` new objects, and how many it takes. Counts are
   * kept, since counting a document's keys on every write would cost O(n).
   */
  async #reserve(wanted: number): Promise<{ handle: DocHandle<ObjectsDoc>; taken: number }> {
    const { placement } = this.#context
    if (this.#filling === undefined) {
      for (const handle of this.#objectDocs.values()) {
        const count = Object.keys(handle.doc().objects).length
        if (roomLeft(placement, count) > 0) this.#filling = { handle, count }
      }
    }
    const filling = this.#filling
    if (filling !== undefined && roomLeft(placement, filling.count) > 0) {
      const taken = Math.min(wanted, roomLeft(placement, filling.count))
      filling.count += taken
      return { handle: filling.handle, taken }
    }
    const handle = this.#context.documents.create<ObjectsDoc>({
      kind: 'commonplace/objects',
      space: this.id,
      objects: {},
    })
    // Known at once, so that creates running concurrently fill this document rather than each making one.
    this.#objectDocs.set(handle.documentId, handle)
    const taken = Math.min(wanted, roomLeft(placement, 0))
    this.#filling = { handle, count: taken }
    this.root.change((doc) => {
      doc.documents[handle.documentId] = 'objects'
    })
    return { handle: await this.#watch(handle.documentId), taken }
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
