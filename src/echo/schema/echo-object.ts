/**
 * The envelope every object has, `{id, type, version, fields, createdAt,
 * updatedAt, deleted?}`, and the one door through which stored data becomes an
 * `EchoObject`: shape, known type and version, migration, fields.
 */
import * as v from 'valibot'
import type { Result } from '../../base'
import { err, ok } from '../../base'
import type { ObjectId } from '../ids'
import type { FieldsOf, ObjectType } from './object-types'
import { isObjectType, specOf } from './object-type-specs'

export interface EchoObjectOf<T extends ObjectType> {
  readonly id: ObjectId
  readonly type: T
  readonly version: number
  readonly fields: FieldsOf[T]
  readonly createdAt: number
  readonly updatedAt: number
  readonly deleted?: true
}

export type EchoObject = { [T in ObjectType]: EchoObjectOf<T> }[ObjectType]
export type NoteObject = EchoObjectOf<'note'>

const time = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const Envelope = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/)),
  type: v.string(),
  version: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  fields: v.unknown(),
  createdAt: time,
  updatedAt: time,
  deleted: v.exactOptional(v.literal(true)),
})

type QuarantineReason = 'invalid-envelope' | 'unknown-type' | 'newer-version' | 'invalid-fields'

export interface Quarantined {
  readonly reason: QuarantineReason
  readonly detail: string
}

/** Checks and upgrades a stored object; what fails is reported, never repaired by guessing. */
export const validateObject = (raw: unknown): Result<EchoObject, Quarantined> => {
  const envelope = v.safeParse(Envelope, raw)
  if (!envelope.success) return err({ reason: 'invalid-envelope', detail: v.summarize(envelope.issues) })
  const { type, version, fields, createdAt } = envelope.output
  if (!isObjectType(type)) return err({ reason: 'unknown-type', detail: type })
  const spec = specOf(type)
  if (version > spec.version) return err({ reason: 'newer-version', detail: `${type} v${version}` })
  let migrated: unknown
  try {
    migrated = spec.migrate(version, fields, createdAt)
  } catch (error) {
    return err({ reason: 'invalid-fields', detail: error instanceof Error ? error.message : String(error) })
  }
  const parsed = v.safeParse(spec.schema, migrated)
  if (!parsed.success) return err({ reason: 'invalid-fields', detail: v.summarize(parsed.issues) })
  // The envelope and fields are checked above; this is their typed form.
  return ok({ ...envelope.output, version: spec.version, fields: parsed.output } as EchoObject)
}

/** Checks fields a caller wants to write, with the same schema as stored data; an unknown type is refused. */
export const checkFields = <T extends ObjectType>(type: T, fields: unknown): Result<FieldsOf[T], string> => {
  if (!isObjectType(type)) return err(`unknown object type: ${String(type)}`)
  const parsed = v.safeParse(specOf(type).schema, fields)
  // The schema for `type` outputs FieldsOf[type].
  return parsed.success ? ok(parsed.output as FieldsOf[T]) : err(v.summarize(parsed.issues))
}
