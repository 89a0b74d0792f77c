/**
 * One open space: its membership (folded from the log in the root document),
 * its objects (written into object documents, read back through the index) and
 * its notes' text documents.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Clock, Observable, Result } from '../../base'
import { err, ok } from '../../base'
import type { Credential, PublicKey, SpaceRole } from '../../halo'
import { decodeCredential } from '../../halo'
import type { DocumentStore } from '../document-store'
import { InvalidFields, NoteTextNotInSpace, NotAllowed, ObjectNotFound } from '../errors'
import type { StorageFailed, StorageQuotaExceeded } from '../errors'
import type { ObjectId, SpaceId } from '../ids'
import type { Indexer } from '../indexer'
import type { Actor } from '../membership/entries'
import { issueDeviceRevocation } from '../membership/entries'
import type { EpochRecord, MembershipState } from '../membership/fold'
import type { Query } from '../query/query'
import type { EchoObject, EchoObjectOf } from '../schema/echo-object'
import { checkFields, validateObject } from '../schema/echo-object'
import type { FieldsOf, ObjectType } from '../schema/object-types'
import { CURRENT_VERSION } from '../schema/object-types'
import type { EchoDatabase } from '../storage/echo-database'
import type { LogStore } from '../storage/log-store'
import { findObjectRow, quarantineOf } from '../storage/object-index'
import type { LiveQuery } from '../storage/query-index'
import { liveObjectQuery, runQuery } from '../storage/query-index'
import type { AutomergeUrl, DocumentId, ObjectsDoc, SpaceDoc } from './documents'
import { toPlain, toStored } from './documents'
import type { FieldPatch } from './object-writes'
import { insertObject, patchObject, setDeleted } from './object-writes'
import { compactSpace } from './epoch'
import type { EpochError } from './epoch'
import { collectRetired } from './epoch-collect'
import { identityCredentialsIn, keepIdentityCredentials, onIdentityCredentials } from './identity-records'
import { ObjectDocuments } from './object-documents'
import { RetiredDocuments } from './retired-documents'
import { SpaceMembership } from './space-membership'
import type { Placement } from './placement'
import type { Locks } from './object-lock'
import { withObjectsLock } from './object-lock'
import { newTextDocument, openTextDocument, textDocumentIn, textOf } from './text'
import type { MarkdownFile } from '../transfer/markdown'
import { noteToMarkdown } from '../transfer/markdown'
import type { NoteText } from './text'

export interface SpaceContext {
  readonly documents: DocumentStore
  readonly db: EchoDatabase
  /** Every verified membership entry this device has seen (the log only grows). */
  readonly logs: LogStore
  readonly indexer: Indexer
  readonly clock: Clock
  readonly placement: Placement
  readonly locks: Locks
  /** The roots of the other spaces here and every document they list: never this space's to collect. */
  readonly otherSpaces: (space: SpaceId) => Promise<ReadonlySet<DocumentId>>
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
  readonly #membership: SpaceMembership
  readonly #objects: ObjectDocuments
  readonly #retired: RetiredDocuments
  #loading: Promise<void> | undefined
  #collecting: Promise<Result<number, StorageQuotaExceeded | StorageFailed>> | undefined
  readonly #retiredHere = new Set<DocumentId>()

  constructor(id: SpaceId, root: DocHandle<SpaceDoc>, context: SpaceContext) {
    this.id = id
    this.root = root
    this.#context = context
    this.#membership = new SpaceMembership(id, root, context.clock, context.logs)
    this.#objects = new ObjectDocuments(id, root, context)
    const check = { space: id, documents: context.documents, otherSpaces: context.otherSpaces }
    const epoch = () => this.#membership.state.get().epoch
    this.#retired = new RetiredDocuments(root, check, epoch, (doc) => this.#objects.ensure(doc))
    // An epoch's manifest counts once the fold applied its credential, which may come after the manifest.
    let applied = epoch()?.credential
    this.#membership.state.subscribe(({ epoch: current }) => {
      if (current?.credential === applied) return
      applied = current?.credential
      this.#followRetired()
    })
    // Only what a change touched is recomputed: a space with 100,000 objects changes its root often.
    root.on('change', ({ patches }) => {
      const log = patches.filter((patch) => patch.path[0] === 'log')
      // The whole log replaced: every key is looked at again (and what it lost written back).
      const keys = log.some((patch) => patch.path.length < 2)
        ? Object.keys(root.doc().log)
        : log.map((patch) => String(patch.path[1]))
      if (log.length > 0) this.#membership.refold([...new Set(keys)])
      const documents = patches.flatMap((patch) =>
        patch.path[0] === 'documents' && patch.path.length === 2 ? [String(patch.path[1]) as DocumentId] : [],
      )
      // Another tab or a peer may have added an object document, or an epoch replaced some.
      if (documents.length > 0) void this.#objects.follow(documents)
      if (patches.some((patch) => patch.path[0] === 'epochs')) this.#followRetired()
    })
  }

  /** In the background: a failure (the database closed meanwhile) leaves the writes for the next start's collection. */
  #followRetired(): void {
    this.#retired.follow().catch(() => undefined)
  }

  /** Adds the membership entries this device kept earlier; roles are final once it resolves. */
  loadMembership(): Promise<void> {
    return this.#membership.load()
  }

  /**
   * Resolves when every object document is loaded and the index has caught up
   * with them (started once, when the space is opened). Queries do not need to
   * wait for it: they read the index, which outlives reloads.
   */
  loaded(): Promise<void> {
    // A document that could not be loaded (lost from storage) is tried again next time: an import may restore it.
    this.#loading ??= this.#objects.load().catch((error: unknown) => {
      this.#loading = undefined
      throw error
    })
    return this.#loading
  }

  /** Brings the loaded object documents in line with the root's list again, and follows what the epoch replaced. */
  async refresh(): Promise<void> {
    await this.#objects.load()
    await this.#retired.follow()
  }

  /** Records an epoch: object documents compacted to their current state (owners and admins). */
  createEpoch(actor: Actor): Promise<Result<EpochRecord, EpochError>> {
    return withObjectsLock(this.#context.locks, this.id, 'exclusive', () => compactSpace(this, actor, this.#context))
  }

  /** Marks documents an epoch of this session replaced: they are collected at a later start. */
  retiring(ids: readonly DocumentId[]): void {
    for (const id of ids) this.#retiredHere.add(id)
  }

  /**
   * Deletes the object documents earlier epochs replaced, once this start has
   * loaded their replacements (started once by `Echo.openSpace`); resolves with how many went.
   */
  collectRetired(): Promise<Result<number, StorageQuotaExceeded | StorageFailed>> {
    this.#collecting ??= this.loaded().then(() =>
      withObjectsLock(this.#context.locks, this.id, 'exclusive', () =>
        collectRetired(
          this.root,
          this.#membership.state.get().epoch,
          { ...this.#context, space: this.id },
          this.#retiredHere,
        ),
      ),
    )
    return this.#collecting
  }

  get name(): string {
    return toPlain(this.root.doc().name) as string
  }

  get personal(): boolean {
    return this.root.doc().personal
  }

  /** Personal space only: keeps the identity's own credentials so they sync to its devices. */
  keepIdentityCredentials(credentials: readonly Credential[]): Result<number, NotAllowed> {
    if (!this.personal) return err(new NotAllowed('only the personal space keeps identity credentials'))
    return ok(keepIdentityCredentials(this.root, credentials))
  }

  /** The identity credentials this space holds, unverified, and every later arrival of them. */
  identityCredentials(listener: (credentials: unknown[]) => void): { now: unknown[]; stop: () => void } {
    return { now: identityCredentialsIn(this.root), stop: onIdentityCredentials(this.root, listener) }
  }

  get membership(): Observable<MembershipState> {
    return this.#membership.state
  }

  roleOf(key: PublicKey): SpaceRole | undefined {
    return this.#membership.roleOf(key)
  }

  rename(actor: Actor, name: string): Result<void, NotAllowed> {
    const allowed = this.#mayWrite(actor)
    if (!allowed.ok) return allowed
    this.root.change((doc) => {
      doc.name = toStored(name) as string
    })
    return ok(undefined)
  }

  /** Admits `subject` with `role` (or changes their role); `NotAllowed` unless the entry takes effect. */
  admit(actor: Actor, subject: PublicKey, role: SpaceRole): Result<Credential, NotAllowed> {
    return this.#membership.admit(actor, subject, role)
  }

  /** Removes `subject` (`actor` itself: leaves); `NotAllowed` unless the entry takes effect. */
  remove(actor: Actor, subject: PublicKey): Result<Credential, NotAllowed> {
    return this.#membership.remove(actor, subject)
  }

  /**
   * Records in the log that `actor`'s identity revoked `device`: unless `place`
   * is false, a revocation signed by `actor` from the heads this device has seen
   * on (what they name keeps its effect), if this device has not placed one
   * already; and `evidence`, the identity's own revocations of it (HALO's, which
   * may be signed by the identity key and so outrank any device), copied as they
   * are. Returns what was written; only members record revocations.
   */
  recordDeviceRevocation(
    actor: Actor,
    device: PublicKey,
    evidence: readonly Credential[] = [],
    { place = true }: { readonly place?: boolean } = {},
  ): Result<readonly Credential[], NotAllowed> {
    if (this.roleOf(actor.identity) === undefined) return err(new NotAllowed('only a member records revocations'))
    const state = this.#membership.state.get()
    const log = Object.values(this.root.doc().log).flatMap((stored) => {
      const entry = decodeCredential(toPlain(stored))
      return entry.ok ? [entry.value] : []
    })
    const ofDevice = (entry: Credential) =>
      entry.assertion.kind === 'DeviceRevoked' && entry.issuer === actor.identity && entry.subject === device
    // Whether it counts or not, one placed revocation per device and signer: a second would change nothing.
    const placed = log.some(
      (entry) => ofDevice(entry) && entry.parents.length > 0 && entry.proof.signer === actor.signer.key.publicKey,
    )
    const written: Credential[] = []
    if (place && !placed) {
      const clock = this.#context.clock
      written.push(issueDeviceRevocation({ actor, space: this.id, device, parents: state.heads, clock }))
    }
    const present = new Set<string>(log.map((entry) => entry.id))
    written.push(...evidence.filter((entry) => ofDevice(entry) && !present.has(entry.id)))
    for (const entry of written) this.#membership.append(entry)
    return ok(written)
  }

  /** Appends a signed entry to the log (kept even if the fold ignores it). */
  append(entry: Credential): void {
    this.#membership.append(entry)
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
    await this.#writing(async () => {
      for (let next = 0; next < objects.length;) {
        const { handle, taken } = await this.#objects.reserve(objects.length - next)
        const batch = objects.slice(next, next + taken)
        handle.change((doc) => {
          for (const object of batch) insertObject(doc, object)
        })
        next += taken
      }
    })
    return ok(objects)
  }

  update<T extends ObjectType>(
    actor: Actor,
    id: ObjectId,
    type: T,
    patch: FieldPatch<T>,
  ): Promise<Result<EchoObjectOf<T>, NotAllowed | InvalidFields | ObjectNotFound | NoteTextNotInSpace>> {
    return this.#writing(() => this.#update(actor, id, type, patch))
  }

  async #update<T extends ObjectType>(
    actor: Actor,
    id: ObjectId,
    type: T,
    patch: FieldPatch<T>,
  ): Promise<Result<EchoObjectOf<T>, NotAllowed | InvalidFields | ObjectNotFound | NoteTextNotInSpace>> {
    const found = await this.#find(actor, id)
    if (!found.ok) return found
    const { handle, object } = found.value
    if (object.type !== type) return err(new InvalidFields(`object ${id} is a ${object.type}, not a ${type}`))
    const text = (patch as { text?: unknown }).text
    if (object.type === 'note' && typeof text === 'string' && textDocumentIn(this.root.doc(), text) === undefined) {
      return err(new NoteTextNotInSpace(id))
    }
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
  async noteText(id: ObjectId): Promise<Result<NoteText, ObjectNotFound | NoteTextNotInSpace>> {
    const note = await this.get(id)
    if (note?.type !== 'note') return err(new ObjectNotFound(id))
    const text = textDocumentIn(this.root.doc(), note.fields.text)
    if (text === undefined) return err(new NoteTextNotInSpace(id))
    return ok(await openTextDocument(this.#context.documents, note.fields.text as AutomergeUrl))
  }

  /** The note as a Markdown file (title as heading, text as body). */
  async noteMarkdown(id: ObjectId): Promise<Result<MarkdownFile, ObjectNotFound | NoteTextNotInSpace>> {
    const opened = await this.noteText(id)
    if (!opened.ok) return opened
    const note = await this.get(id)
    if (note?.type !== 'note') return err(new ObjectNotFound(id))
    return ok(noteToMarkdown(note, textOf(opened.value.handle)))
  }

  objectDocuments(): readonly DocHandle<ObjectsDoc>[] {
    return this.#objects.all()
  }

  async #find(actor: Actor, id: ObjectId) {
    const allowed = this.#mayWrite(actor)
    if (!allowed.ok) return allowed
    await this.#context.indexer.settled()
    const row = await findObjectRow(this.#context.db, this.id, id)
    const handle = row === undefined ? undefined : await this.#objects.ensure(row.doc as DocumentId)
    const raw = handle?.doc().objects[id]
    const checked = raw === undefined ? undefined : validateObject(toPlain(raw))
    if (handle === undefined || checked?.ok !== true) return err(new ObjectNotFound(id))
    return ok({ handle, object: checked.value })
  }

  #storedVersion(handle: DocHandle<ObjectsDoc>, id: ObjectId): unknown {
    const record = handle.doc().objects[id]
    return typeof record === 'object' && record !== null && 'version' in record ? record.version : undefined
  }

  #setDeleted(actor: Actor, id: ObjectId, deleted: boolean): Promise<Result<void, NotAllowed | ObjectNotFound>> {
    return this.#writing(async () => {
      const found = await this.#find(actor, id)
      if (!found.ok) return found
      const now = this.#context.clock.now()
      found.value.handle.change((doc) => setDeleted(doc, id, deleted, now))
      return ok(undefined)
    })
  }

  /** Object writes hold the space's objects lock shared: an epoch in any tab waits for them, and they for it. */
  #writing<T>(work: () => Promise<T>): Promise<T> {
    return withObjectsLock(this.#context.locks, this.id, 'shared', work)
  }

  #mayWrite(actor: Actor): Result<void, NotAllowed> {
    const role = this.roleOf(actor.identity)
    if (role !== undefined && WRITERS.includes(role)) return ok(undefined)
    return err(new NotAllowed(`${actor.identity} is ${role ?? 'not a member'} in this space and may not write`))
  }
}
