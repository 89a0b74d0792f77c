/**
 * The object types ECHO stores, as valibot schemas (the runtime check) and the
 * TypeScript types inferred from them. What else ECHO knows of each type
 * (version, migration, what is indexed) is its `ObjectTypeSpec` in
 * object-type-specs.ts.
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
export const TaskFieldsV1 = v.strictObject({ title, done: v.boolean(), due: v.exactOptional(day) })

export type NoteFields = v.InferOutput<typeof NoteFields>
export type TaskFields = v.InferOutput<typeof TaskFields>

export const OBJECT_TYPES = ['note', 'task'] as const
export type ObjectType = (typeof OBJECT_TYPES)[number]

export interface FieldsOf {
  note: NoteFields
  task: TaskFields
}
