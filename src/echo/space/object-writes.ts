/** Changes to one object inside its document, as Automerge change functions. */
import type { Doc } from '@automerge/automerge-repo/slim'
import type { ObjectId } from '../ids'
import type { EchoObject } from '../schema/echo-object'
import type { FieldsOf, ObjectType } from '../schema/object-types'
import type { ObjectsDoc } from './documents'
import { toStored } from './documents'

/** Fields to change; `undefined` removes an optional field. */
export type FieldPatch<T extends ObjectType> = { readonly [K in keyof FieldsOf[T]]?: FieldsOf[T][K] | undefined }

export const insertObject = (doc: Doc<ObjectsDoc>, object: EchoObject): void => {
  doc.objects[object.id] = toStored(object)
}

const recordIn = (doc: Doc<ObjectsDoc>, id: ObjectId): Record<string, unknown> | undefined => {
  const record = doc.objects[id]
  return typeof record === 'object' && record !== null ? (record as Record<string, unknown>) : undefined
}

/**
 * Writes only the changed fields, so concurrent edits of different fields both
 * survive; an object of an older version is rewritten whole in the current one.
 */
export const patchObject = (
  doc: Doc<ObjectsDoc>,
  current: EchoObject,
  patch: Readonly<Record<string, unknown>>,
  now: number,
  migrated: boolean,
): void => {
  const record = recordIn(doc, current.id)
  if (record === undefined) return
  if (migrated) {
    record.version = current.version
    record.fields = toStored(current.fields)
  }
  const fields = record.fields as Record<string, unknown>
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) Reflect.deleteProperty(fields, name)
    else fields[name] = toStored(value)
  }
  record.updatedAt = now
}

export const setDeleted = (doc: Doc<ObjectsDoc>, id: ObjectId, deleted: boolean, now: number): void => {
  const record = recordIn(doc, id)
  if (record === undefined) return
  if (deleted) record.deleted = true
  else Reflect.deleteProperty(record, 'deleted')
  record.updatedAt = now
}
