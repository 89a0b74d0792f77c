/**
 * A space's objects: written into its object documents (under the space's
 * objects lock, so an epoch in any tab waits for them), read back through the
 * query index. Every write asks the members first (`permit`, the policy).
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Result } from '../../base'
import { err, ok } from '../../base'
import type { NotAllowed } from '../errors'
import { InvalidFields, NoteTextNotInSpace, ObjectNotFound } from '../errors'
import type { ObjectId, SpaceId } from '../ids'
import type { Actor } from '../membership/entries'
import type { Query } from '../query/query'
import type { EchoObject, EchoObjectOf } from '../schema/echo-object'
import { checkFields, validateObject } from '../schema/echo-object'
import { CURRENT_VERSION } from '../schema/object-type-specs'
import type { FieldsOf, ObjectType } from '../schema/object-types'
import { findObjectRow, quarantineOf } from '../storage/object-index'
import type { LiveQuery } from '../storage/query-index'
import { liveObjectQuery, runQuery } from '../storage/query-index'
import type { DocumentId, ObjectsDoc } from './documents'
import { objectsOf, toPlain } from './documents'
import type { ObjectDocuments } from './object-documents'
import { OBJECT_ARRIVAL_MS } from './object-arrival'
import { withObjectsLock } from './object-lock'
import type { FieldPatch } from './object-writes'
import { insertObject, patchObject, setDeleted } from './object-writes'
import type { SpaceContext } from './space-context'
import type { SpaceNotes } from './space-notes'
import type { UndoLog } from './undo-log'

/** What `createMany` takes: tasks with their fields, notes with their title and initial text. */
export type Draft =
  | { readonly type: 'task'; readonly fields: FieldsOf['task'] }
  | { readonly type: 'note'; readonly title: string; readonly text?: string }

export type ObjectDraft = { [T in ObjectType]: { readonly type: T; readonly fields: FieldsOf[T] } }[ObjectType]

/** A well-formed text URL, to check a note's title before its text document is made. */
const noteProbe = { text: 'automerge:probe' }

export class SpaceObjects {
  readonly #id: SpaceId
  readonly #context: SpaceContext
  readonly #documents: ObjectDocuments
  readonly #notes: SpaceNotes
  readonly #permit: (actor: Actor) => Result<void, NotAllowed>

  constructor(
    id: SpaceId,
    context: SpaceContext,
    documents: ObjectDocuments,
    notes: SpaceNotes,
    permit: (actor: Actor) => Result<void, NotAllowed>,
  ) {
    this.#id = id
    this.#context = context
    this.#documents = documents
    this.#notes = notes
    this.#permit = permit
  }

  /** Nothing is written unless the actor may write and every draft is valid; `undo` learns how to take it back. */
  async createMany(
    actor: Actor,
    drafts: readonly Draft[],
    undo?: UndoLog,
  ): Promise<Result<EchoObject[], NotAllowed | InvalidFields>> {
    const allowed = this.#permit(actor)
    if (!allowed.ok) return allowed
    // Every draft is checked before any text document is made, so a refusal leaves nothing behind.
    for (const draft of drafts) {
      const checked =
        draft.type === 'note'
          ? checkFields('note', { ...noteProbe, title: draft.title })
          : checkFields(draft.type, draft.fields)
      if (!checked.ok) return err(new InvalidFields(checked.error))
    }
    const notes = drafts.flatMap((draft) => (draft.type === 'note' ? [draft.text ?? ''] : []))
    const urls = this.#notes.createTexts(notes)
    const objects = drafts.map((draft): ObjectDraft => {
      if (draft.type !== 'note') return draft
      return { type: 'note', fields: { title: draft.title, text: urls.shift() ?? '' } }
    })
    return this.insert(actor, objects, undo)
  }

  async insert(
    actor: Actor,
    drafts: readonly ObjectDraft[],
    undo?: UndoLog,
  ): Promise<Result<EchoObject[], NotAllowed | InvalidFields>> {
    const allowed = this.#permit(actor)
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
        const { handle, taken } = await this.#documents.reserve(objects.length - next)
        const batch = objects.slice(next, next + taken)
        const change = () =>
          handle.change((doc) => {
            for (const object of batch) insertObject(doc, object)
          })
        tracked(
          undo,
          handle,
          batch.map((object) => object.id),
          change,
        )
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
    undo?: UndoLog,
  ): Promise<Result<EchoObjectOf<T>, NotAllowed | InvalidFields | ObjectNotFound | NoteTextNotInSpace>> {
    return this.#writing(() => this.#update(actor, id, type, patch, undo))
  }

  async #update<T extends ObjectType>(
    actor: Actor,
    id: ObjectId,
    type: T,
    patch: FieldPatch<T>,
    undo: UndoLog | undefined,
  ): Promise<Result<EchoObjectOf<T>, NotAllowed | InvalidFields | ObjectNotFound | NoteTextNotInSpace>> {
    const found = await this.#find(actor, id)
    if (!found.ok) return found
    const { handle, object } = found.value
    if (object.type !== type) return err(new InvalidFields(`object ${id} is a ${object.type}, not a ${type}`))
    const text = (patch as { text?: unknown }).text
    if (object.type === 'note' && typeof text === 'string' && this.#notes.inSpace(text) === undefined) {
      return err(new NoteTextNotInSpace(id))
    }
    const merged = { ...object.fields, ...patch }
    for (const [name, value] of Object.entries(patch)) if (value === undefined) Reflect.deleteProperty(merged, name)
    const checked = checkFields(type, merged)
    if (!checked.ok) return err(new InvalidFields(checked.error))
    const now = this.#context.clock.now()
    const migrated = storedVersion(handle, id) !== object.version
    tracked(undo, handle, [id], () => handle.change((doc) => patchObject(doc, object, patch, now, migrated)))
    return ok({ ...object, fields: checked.value, updatedAt: now } as EchoObjectOf<T>)
  }

  setDeleted(
    actor: Actor,
    id: ObjectId,
    deleted: boolean,
    undo?: UndoLog,
  ): Promise<Result<void, NotAllowed | ObjectNotFound>> {
    return this.#writing(async () => {
      const found = await this.#find(actor, id)
      if (!found.ok) return found
      const now = this.#context.clock.now()
      const { handle } = found.value
      tracked(undo, handle, [id], () => handle.change((doc) => setDeleted(doc, id, deleted, now)))
      return ok(undefined)
    })
  }

  /** Takes back the writes `undo` remembers (their save was refused), under the objects lock like any write. */
  undo(undo: UndoLog): Promise<void> {
    return this.#writing(() => {
      undo.undo()
      return Promise.resolve()
    })
  }

  /** The object as indexed (undefined when unknown or quarantined). */
  async get(id: ObjectId): Promise<EchoObject | undefined> {
    await this.#context.indexer.settled()
    return (await findObjectRow(this.#context.db, this.#id, id))?.record
  }

  query(query: Query): LiveQuery {
    return liveObjectQuery(this.#context.db, this.#id, query, this.#context.indexer)
  }

  async find(query: Query): Promise<EchoObject[]> {
    await this.#context.indexer.settled()
    return runQuery(this.#context.db, this.#id, query)
  }

  quarantined() {
    return quarantineOf(this.#context.db, this.#id)
  }

  async #find(actor: Actor, id: ObjectId) {
    const allowed = this.#permit(actor)
    if (!allowed.ok) return allowed
    await this.#context.indexer.settled()
    const row = await findObjectRow(this.#context.db, this.#id, id)
    const found =
      row === undefined ? undefined : await this.#documents.objectOf(row.doc as DocumentId, id, OBJECT_ARRIVAL_MS)
    const checked = found === undefined ? undefined : validateObject(toPlain(found.raw))
    if (found === undefined || checked?.ok !== true) return err(new ObjectNotFound(id))
    return ok({ handle: found.handle, object: checked.value })
  }

  /** Object writes hold the space's objects lock shared: an epoch in any tab waits for them, and they for it. */
  #writing<T>(work: () => Promise<T>): Promise<T> {
    return withObjectsLock(this.#context.locks, this.#id, 'shared', work)
  }
}

/** Makes `change`, through `undo` when the caller may need to take it back. */
const tracked = (
  undo: UndoLog | undefined,
  handle: DocHandle<ObjectsDoc>,
  ids: readonly ObjectId[],
  change: () => void,
): void => {
  if (undo === undefined) change()
  else undo.objects(handle, ids, change)
}

const storedVersion = (handle: DocHandle<ObjectsDoc>, id: ObjectId): unknown => {
  const record = objectsOf(handle.doc())?.[id]
  return typeof record === 'object' && record !== null && 'version' in record ? record.version : undefined
}
