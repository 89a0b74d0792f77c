/**
 * The one IndexedDB database of ECHO: Automerge's chunks, the list of spaces on
 * this device, and the query index (derived data, rebuildable from documents).
 */
import { Dexie } from 'dexie'
import type { EntityTable } from 'dexie'
import type { EchoObject } from '../schema/echo-object'

/** One Automerge storage chunk; `key` is automerge-repo's StorageKey (an array). */
export interface ChunkRow {
  /** Insertion order: automerge-repo's adapter suite expects ranges in the order they were saved. */
  readonly seq: number
  readonly key: string[]
  readonly data: Uint8Array
}

export interface SpaceRow {
  readonly id: string
  readonly rootUrl: string
  readonly identity: string
  readonly name: string
  readonly personal: 0 | 1
  readonly archived: 0 | 1
  readonly createdAt: number
}

/** The query index: one row per object, everything a query needs without opening a document. */
export interface ObjectRow {
  readonly key: string
  readonly spaceId: string
  readonly id: string
  readonly type: string
  readonly doc: string
  /** 1 when soft-deleted; 0 otherwise (IndexedDB cannot index booleans). */
  readonly deleted: 0 | 1
  readonly createdAt: number
  readonly updatedAt: number
  readonly title: string
  readonly order: string
  /** Lower-case words of the title and text, for prefix search. */
  readonly words: string[]
  /** The validated, migrated object. */
  readonly record: EchoObject
  /**
   * 1 when its text document was not here when it was indexed (`words` lack its text): asked for again when the
   * space opens in the tab that talks to peers. Absent otherwise, so the index holds only these rows.
   */
  readonly textWaiting?: 1
}

/** An object that failed validation: kept for the report, never returned by queries. */
export interface QuarantineRow {
  readonly key: string
  readonly spaceId: string
  readonly id: string
  readonly doc: string
  readonly reason: string
}

/** The heads of each document as last indexed, to catch up after a reload. */
export interface IndexedDocRow {
  readonly doc: string
  readonly spaceId: string
  readonly heads: string
}

/**
 * When a space's index rows last had their words written (epoch ms): what a search list listens to. A note text's
 * words reaching the index change no document's indexed heads, so whole lists (which listen to `indexedDocs`) are
 * not read again for them.
 */
interface WordsWrittenRow {
  readonly spaceId: string
  readonly at: number
}

/**
 * A verified membership log entry of a space, kept apart from the space's root
 * document: a change to the document can delete entries, this copy cannot be
 * reached by one (see space/space-membership.ts).
 */
export interface LogEntryRow {
  /** `spaceId/credentialId`. */
  readonly key: string
  readonly spaceId: string
  /** The credential as plain JSON. */
  readonly entry: unknown
}

/** An invitation's room entry of a space's root as this device verified it (`invitation-room-store.ts`). */
export interface InvitationRoomRow {
  /** `spaceId/inviteKey`. */
  readonly key: string
  readonly spaceId: string
  readonly inviteKey: string
  /** `{ rendezvous, sig }` as plain JSON. */
  readonly entry: unknown
}

/** Which space a document belongs to on this device: written once, never moved (`document-space-store.ts`). */
interface DocumentSpaceRow {
  readonly doc: string
  readonly spaceId: string
}

export type EchoDatabase = Dexie & {
  chunks: EntityTable<ChunkRow, 'seq'>
  spaces: EntityTable<SpaceRow, 'id'>
  objects: EntityTable<ObjectRow, 'key'>
  quarantine: EntityTable<QuarantineRow, 'key'>
  indexedDocs: EntityTable<IndexedDocRow, 'doc'>
  wordsWritten: EntityTable<WordsWrittenRow, 'spaceId'>
  logEntries: EntityTable<LogEntryRow, 'key'>
  documentSpaces: EntityTable<DocumentSpaceRow, 'doc'>
  invitationRooms: EntityTable<InvitationRoomRow, 'key'>
}

export interface DatabaseOptions {
  readonly name?: string
  /** An IndexedDB implementation (fake-indexeddb in Node tests). */
  readonly indexedDB?: IDBFactory
  readonly IDBKeyRange?: typeof IDBKeyRange
}

const DEFAULT_DATABASE_NAME = 'commonplace-echo'

export const openEchoDatabase = (options: DatabaseOptions = {}): EchoDatabase => {
  const db = new Dexie(options.name ?? DEFAULT_DATABASE_NAME, {
    ...(options.indexedDB === undefined ? {} : { indexedDB: options.indexedDB }),
    ...(options.IDBKeyRange === undefined ? {} : { IDBKeyRange: options.IDBKeyRange }),
  }) as EchoDatabase
  db.version(1).stores({
    chunks: '++seq, &key',
    spaces: 'id, identity',
    objects:
      'key, spaceId, doc, [spaceId+type+updatedAt], [spaceId+type+order], [spaceId+type+title], [spaceId+updatedAt], *words',
    quarantine: 'key, spaceId, doc',
    indexedDocs: 'doc, spaceId',
  })
  db.version(2).stores({ logEntries: 'key, spaceId' })
  db.version(3).stores({ documentSpaces: 'doc, spaceId' })
  db.version(4).stores({ invitationRooms: 'key, spaceId' })
  db.version(5).stores({
    objects:
      'key, spaceId, doc, [spaceId+type+updatedAt], [spaceId+type+order], [spaceId+type+title], [spaceId+updatedAt], *words, [doc+textWaiting]',
  })
  db.version(6).stores({ wordsWritten: 'spaceId' })
  return db
}
