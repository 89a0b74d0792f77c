/**
 * The shapes of ECHO's Automerge documents. A space has one root document (its
 * name, membership log and list of data documents) and data documents: object
 * documents holding `objects` by id, and one text document per note.
 */
import { ImmutableString, isImmutableString } from '@automerge/automerge/slim'
import type { AutomergeUrl, DocumentId } from '@automerge/automerge-repo/slim'
import { isRecord } from './root-fields'

export const DOCUMENT_ROLES = ['objects', 'text'] as const
export type DocumentRole = (typeof DOCUMENT_ROLES)[number]

/** An object document an epoch replaced: the document that took its objects, and its heads when they were taken. */
export interface RetiredDocument {
  readonly into: string
  readonly heads: string[]
}

/** Which documents, at which heads, an epoch's snapshot consists of. */
export interface EpochManifest {
  readonly number: number
  /** Document id -> heads, for every data document of the space after compaction. */
  readonly documents: Record<string, string[]>
  /** Old document id -> what replaced it; old documents are deleted only at a later start (`epoch-collect.ts`). */
  readonly replaced?: Record<string, RetiredDocument>
}

export interface SpaceDoc {
  kind: 'commonplace/space'
  space: string
  name: string
  personal: boolean
  /** The membership log: credential id -> credential (grow-only; entries are never removed). */
  log: Record<string, unknown>
  /** Data documents of the space: id -> role. */
  documents: Record<string, DocumentRole>
  /** Epoch manifests by snapshot hash (the hash the Epoch credential names). */
  epochs: Record<string, EpochManifest>
  /**
   * Personal space only: the identity's own credentials (devices, device names, revocations, profile),
   * credential id -> credential, so they travel to every device of the identity with the space.
   */
  identity?: Record<string, unknown>
  /** Personal space only: the identity's spaces, space id -> where its root is (space-lists.ts; validated on read). */
  spaces?: Record<string, { root: string }>
  /** Personal space only: "<space id>:<generation>:<recipient>:<sealer>:<commitment>" -> { box, commitment, sig }. */
  spaceKeys?: Record<string, { box: string; commitment: string; sig: string }>
  /** Shared spaces: each invitation's rendezvous secret, invite key -> { rendezvous, sig } (invitation-rooms.ts). */
  inviteRooms?: Record<string, { rendezvous: string; sig: string }>
}

export interface ObjectsDoc {
  kind: 'commonplace/objects'
  space: string
  objects: Record<string, unknown>
}

/**
 * An object document's objects by id, or undefined when `objects` is not a map: a member who may write can list a
 * document of the objects kind holding anything there, and such a document is no object document.
 */
export const objectsOf = (doc: ObjectsDoc): Readonly<Record<string, unknown>> | undefined => {
  const objects: unknown = doc.objects
  return isRecord(objects) ? objects : undefined
}

/** A note's text: a plain Automerge text field the editor binds to. */
export interface TextDoc {
  text: string
}

export const TEXT_PATH = ['text'] as const

export type { AutomergeUrl, DocumentId }

/**
 * Object fields are written as immutable strings: a title or an order key is
 * replaced whole, and per-character text would cost one operation per letter at
 * 100,000 objects. Collaborative text lives in the note's text document.
 */
export const toStored = (value: unknown): unknown => {
  if (typeof value === 'string') return new ImmutableString(value)
  if (Array.isArray(value)) return value.map(toStored)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, toStored(field)]))
  }
  return value
}

/** The plain JSON form of a value read from a document. */
export const toPlain = (value: unknown): unknown => {
  if (isImmutableString(value)) return value.toString()
  if (Array.isArray(value)) return value.map(toPlain)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, toPlain(field)]))
  }
  return value
}
