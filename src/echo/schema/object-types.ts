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
/** February has 29 days in a leap year: every 4th, but not every 100th unless every 400th. */
const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31

/**
 * A `YYYY-MM-DD` that names a real day: `isoDate` alone takes `2024-02-31`, which some browsers
 * read as an invalid date. Counted by hand, not by `Date`, which reads years below 100 as 19xx.
 */
const isCalendarDay = (text: string): boolean => {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!parts) return false
  const [year, month, date] = [Number(parts[1]), Number(parts[2]), Number(parts[3])]
  return month >= 1 && month <= 12 && date >= 1 && date <= daysIn(year, month)
}

/** A calendar day, `YYYY-MM-DD`. */
const day = v.pipe(v.string(), v.check(isCalendarDay, 'not a calendar day'))
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
