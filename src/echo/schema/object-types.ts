/**
 * The object types ECHO stores, as valibot schemas (the runtime check) and the
 * TypeScript types inferred from them. Each type has a current version and a
 * migration from every older version; an object of an unknown type or of a
 * newer version than this app knows is quarantined, never guessed at.
 */
import * as v from 'valibot'
import type { ObjectId } from '../ids'
import { isOrderKey } from './fractional-index'

const objectId = v.pipe(
  v.string(),
  v.regex(/^[0-9a-f]{32}$/),
  v.transform((id) => id as ObjectId),
)
const title = v.pipe(v.string(), v.maxLength(1000))
const orderKey = v.pipe(v.string(), v.check(isOrderKey, 'not an order key'))
/** A calendar day, `YYYY-MM-DD`. */
const day = v.pipe(v.string(), v.isoDate())
const documentUrl = v.pipe(v.string(), v.startsWith('automerge:'))

/** A note's title; its text lives in its own Automerge document at `text` (path ['text']). */
export const NoteFields = v.strictObject({ title, text: documentUrl })
/** Task version 2: manual `order` and an optional reference to a note. */
export const TaskFields = v.strictObject({
  title,
  done: v.boolean(),
  due: v.exactOptional(day),
  order: orderKey,
  note: v.exactOptional(objectId),
})
/** Task version 1, as written by the first release: no manual order. */
const TaskFieldsV1 = v.strictObject({ title, done: v.boolean(), due: v.exactOptional(day) })

export type NoteFields = v.InferOutput<typeof NoteFields>
export type TaskFields = v.InferOutput<typeof TaskFields>

export const OBJECT_TYPES = ['note', 'task'] as const
export type ObjectType = (typeof OBJECT_TYPES)[number]

export interface FieldsOf {
  note: NoteFields
  task: TaskFields
}

export const CURRENT_VERSION: Readonly<Record<ObjectType, number>> = { note: 1, task: 2 }

export const fieldSchemas = { note: NoteFields, task: TaskFields } as const

/**
 * Version 1 tasks get an order key from their creation time, so they keep the
 * order they were shown in; keys made later by `orderBetween` interleave with them.
 */
const taskFromV1 = (fields: unknown, createdAt: number): unknown => {
  const old = v.parse(TaskFieldsV1, fields)
  // Fixed width so string order is time order; 11 base-36 digits hold any safe integer.
  return { ...old, order: `a${createdAt.toString(36).padStart(11, '0')}V` }
}

/** Upgrades fields of `version` to the current version; throws a valibot error when they do not fit. */
export const migrateFields = (type: ObjectType, version: number, fields: unknown, createdAt: number): unknown => {
  switch (type) {
    case 'note':
      return fields
    case 'task':
      return version === 1 ? taskFromV1(fields, createdAt) : fields
  }
}
