/**
 * Everything ECHO knows about each object type, in one place: its schema, the
 * version it is written in, the migration from older versions, what the index
 * keeps of it (title, order, a text document to search) and the fields a query
 * of it may sort by. `validateObject`, the indexer and queries read only this.
 * An object of an unknown type or of a newer version than this app knows is
 * quarantined, never guessed at.
 */
import * as v from 'valibot'
import type { SortField } from '../query/query'
import type { FieldsOf, NoteFields, ObjectType, TaskFields } from './object-types'
import { NoteFields as NoteSchema, OBJECT_TYPES, TaskFields as TaskSchema, TaskFieldsV1 } from './object-types'

/** What the query index keeps of an object besides its envelope. */
interface IndexedFields {
  /** Searched, and sorted by (`sort: { by: 'title' }`, case-insensitive). */
  readonly title: string
  /** Sorted by (`sort: { by: 'order' }`); objects without one sort as ''. */
  readonly order?: string
  /** The URL of a text document whose words are searched too (only one the space lists is read). */
  readonly textDocument?: string
}

export interface ObjectTypeSpec<F> {
  /** The version objects are written in; older ones are migrated when read, newer ones quarantined. */
  readonly version: number
  readonly schema: v.GenericSchema<unknown, F>
  /** Upgrades fields written in an older `version`; throws a valibot error when they do not fit. */
  readonly migrate: (version: number, fields: unknown, createdAt: number) => unknown
  readonly index: (fields: F) => IndexedFields
  /** The fields a query of this type may sort by. */
  readonly sortFields: readonly SortField[]
}

const noteSpec: ObjectTypeSpec<NoteFields> = {
  version: 1,
  schema: NoteSchema,
  migrate: (_version, fields) => fields,
  // A note's words are its title and the text of its own document.
  index: (fields) => ({ title: fields.title, textDocument: fields.text }),
  sortFields: ['updatedAt', 'createdAt', 'title'],
}

const taskSpec: ObjectTypeSpec<TaskFields> = {
  version: 2,
  schema: TaskSchema,
  /**
   * Version 1 tasks get an order key from their creation time, so they keep the
   * order they were shown in; keys made later by `orderBetween` interleave with them.
   */
  migrate: (version, fields, createdAt) => {
    if (version !== 1) return fields
    const old = v.parse(TaskFieldsV1, fields)
    // Fixed width so string order is time order; 11 base-36 digits hold any safe integer.
    return { ...old, order: `a${createdAt.toString(36).padStart(11, '0')}V` }
  },
  index: (fields) => ({ title: fields.title, order: fields.order }),
  sortFields: ['updatedAt', 'createdAt', 'order', 'title'],
}

export const OBJECT_TYPE_SPECS: { readonly [T in ObjectType]: ObjectTypeSpec<FieldsOf[T]> } = {
  note: noteSpec,
  task: taskSpec,
}

export const isObjectType = (type: unknown): type is ObjectType =>
  typeof type === 'string' && (OBJECT_TYPES as readonly string[]).includes(type)

/** The spec of `type`, for code that handles every type alike (its fields typed as any type's). */
export const specOf = (type: ObjectType): ObjectTypeSpec<FieldsOf[ObjectType]> =>
  OBJECT_TYPE_SPECS[type] as ObjectTypeSpec<FieldsOf[ObjectType]>

export const CURRENT_VERSION: Readonly<Record<ObjectType, number>> = {
  note: noteSpec.version,
  task: taskSpec.version,
}
