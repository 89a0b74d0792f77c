import { AppError } from '../base'
import type { IgnoreReason } from './membership/canonical-order'

/** The browser refused a write because the origin is out of storage; earlier writes are intact. */
export class StorageQuotaExceeded extends AppError<'storage-quota-exceeded'> {
  constructor(options?: { cause?: unknown }) {
    super(
      'storage-quota-exceeded',
      'The device is out of storage space for this app; the last change was not saved.',
      options,
    )
  }
}

/** Any other failure of the storage underneath (IndexedDB closed, aborted, broken). */
export class StorageFailed extends AppError<'storage-failed'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage-failed', message, options)
  }
}

/** Bytes that claim to be an Automerge document but cannot be loaded. */
export class DocumentCorrupt extends AppError<'document-corrupt'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('document-corrupt', message, options)
  }
}

/**
 * Some documents the space's root lists are neither stored nor loaded here (a space still arriving from a peer, or
 * a listing no peer can answer): a file without them would be refused by every other device's check.
 */
export class SpaceNotAllHere extends AppError<'space-not-all-here'> {
  readonly missing: number
  constructor(missing: number) {
    super('space-not-all-here', `${missing} documents of the space are not on this device yet`)
    this.missing = missing
  }
}

/** The acting identity's role in the space does not allow the change. */
export class NotAllowed extends AppError<'not-allowed'> {
  /** The fold's verdict when the membership log refused the entry (a host tells the guest why). */
  readonly reason: IgnoreReason | undefined
  constructor(message: string, reason?: IgnoreReason) {
    super('not-allowed', message)
    this.reason = reason
  }
}

export class SpaceNotFound extends AppError<'space-not-found'> {
  constructor(space: string) {
    super('space-not-found', `no space ${space} on this device`)
  }
}

export class ObjectNotFound extends AppError<'object-not-found'> {
  constructor(object: string) {
    super('object-not-found', `no object ${object} in this space`)
  }
}

/** Fields given to create or update do not match the object type's schema. */
export class InvalidFields extends AppError<'invalid-fields'> {
  constructor(message: string) {
    super('invalid-fields', message)
  }
}

/** A query no index can answer: an unknown object type, or a sort field its type does not have (a programming error). */
export class InvalidQuery extends AppError<'invalid-query'> {
  constructor(message: string) {
    super('invalid-query', message)
  }
}

/** A space file to import is not one this app wrote, or is damaged. */
export class InvalidSpaceFile extends AppError<'invalid-space-file'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid-space-file', message, options)
  }
}

/** A space file over the size this device will read (`MAX_SPACE_FILE_BYTES`); nothing was read into a space. */
export class SpaceFileTooLarge extends AppError<'space-file-too-large'> {
  constructor(size: number, limit: number) {
    super('space-file-too-large', `the space file has ${size} bytes; at most ${limit} are read`)
  }
}

/** A note's `text` names a document that is not a text document of the note's own space; it is neither read nor written. */
export class NoteTextNotInSpace extends AppError<'note-text-not-in-space'> {
  constructor(note: string) {
    super('note-text-not-in-space', `the text of note ${note} is not a text document of this space`)
  }
}

/** The space's current epoch number leaves no next one (a safe integer); nothing was changed. */
export class EpochOutOfRange extends AppError<'epoch-out-of-range'> {
  constructor(current: number) {
    super('epoch-out-of-range', `the current epoch is number ${current}; there is no safe next number`)
  }
}

/** A wait that the caller stopped with an `AbortSignal` (e.g. a document that never arrived). */
export class Aborted extends AppError<'aborted'> {
  constructor(options?: { cause?: unknown }) {
    super('aborted', 'stopped by its caller', options)
  }
}

/** A space listing or sealed box for the personal space that is not in its format (an id, a key, a box). */
export class InvalidSpaceListing extends AppError<'invalid-space-listing'> {
  constructor(message: string) {
    super('invalid-space-listing', message)
  }
}

/** Why `adoptSpace` refused a space, for a caller that words it. */
export type SpaceRefusal =
  | 'malformed' // the space id or root URL is not in its format
  | 'not-its-root' // the document is not that space's root (shape, id, documents list, genesis)
  | 'taken' // its root is a document of another space here
  | 'not-a-member' // the space's membership gives the adopting identity no role
  | 'not-our-personal-space' // adopted as personal, but the space's genesis owner is another identity

/** A space learned from a peer that is refused (`refusal` says why); nothing of it is kept. */
export class SpaceRefused extends AppError<'space-refused'> {
  readonly refusal: SpaceRefusal

  constructor(space: string, reason: string, refusal: SpaceRefusal = 'not-its-root') {
    super('space-refused', `space ${space} refused: ${reason}`)
    this.refusal = refusal
  }
}
