/**
 * Keeps the query index in step with the documents. Every change to a watched
 * document, local or remote (another tab, a peer), arrives as the handle's
 * `change` event; the indexer marks the objects it touched and writes their rows
 * in batches, one transaction each. It can also re-index whole documents (after
 * a reload, when their heads moved) and so rebuild a space from scratch.
 */
import type { DocHandle, DocHandleChangePayload } from '@automerge/automerge-repo/slim'
import { Cell } from '../base'
import type { Observable } from '../base'
import type { DocumentStore } from './document-store'
import type { ObjectId, SpaceId } from './ids'
import type { ChangeSource, ObjectChanges } from './query/overlay'
import { joinWords, wordsOf } from './query/query'
import type { EchoObject } from './schema/echo-object'
import { validateObject } from './schema/echo-object'
import { specOf } from './schema/object-type-specs'
import type { DocumentId, ObjectsDoc, TextDoc } from './space/documents'
import { objectsOf, toPlain } from './space/documents'
import { textOf } from './space/text'
import { TextOwners } from './text-owners'
import type { Progress } from './text-queue'
import { TextQueue } from './text-queue'
import type { EchoDatabase, IndexedDocRow, ObjectRow, QuarantineRow } from './storage/echo-database'
import { indexedHeads, keysFromDocument, objectKey, textsWaitingIn, writeIndexBatch } from './storage/object-index'

interface Dirty {
  readonly space: SpaceId
  /** Object ids changed, or 'all' to re-index the whole document. */
  ids: Set<string> | 'all'
}

/** A space's text documents, as its root lists them (and that are its own). */
export interface SpaceTexts {
  /** The text document a note's URL names, if it is one of them. */
  readonly of: (url: string) => DocumentId | undefined
  readonly lists: (doc: DocumentId) => boolean
}

/**
 * A text named by more objects than this is indexed again at most once per `CONTESTED_TEXT_MS`. An honest space has
 * one note per text; a member can name one text from thousands of objects, each of which a change of it rewrites.
 */
const MAX_TEXT_OWNERS = 8
const CONTESTED_TEXT_MS = 5_000
const CONTESTED_MS_PER_OWNER = 2

/**
 * A text arriving less than this long after the last index write waits for the next one, so a burst of texts
 * is one write, and every live list of the space re-reads its rows once per batch, not once per text (a guest
 * of a 10k space indexed about 1.5 texts a second when each was its own write). One alone is written at once.
 */
const TEXT_BATCH_MS = 250

const AUTOMERGE_SCHEME = 'automerge:'

/** The document an object's `text` field names as stored, unchecked: `automerge:<id>` gives `<id>`. */
const namedText = (raw: unknown): DocumentId | undefined => {
  const fields: unknown = typeof raw === 'object' && raw !== null ? (raw as { fields?: unknown }).fields : undefined
  const text = typeof fields === 'object' && fields !== null ? toPlain((fields as { text?: unknown }).text) : undefined
  return typeof text === 'string' && text.startsWith(AUTOMERGE_SCHEME)
    ? (text.slice(AUTOMERGE_SCHEME.length) as DocumentId)
    : undefined
}

const headsOf = (handle: DocHandle<unknown>): string => handle.heads().join(',')

/** An object as its document holds it: valid with its own id, or why it is quarantined. */
const readObject = (raw: unknown, id: string): { ok: true; object: EchoObject } | { ok: false; reason: string } => {
  const checked = validateObject(toPlain(raw))
  if (checked.ok && checked.value.id === id) return { ok: true, object: checked.value }
  return { ok: false, reason: checked.ok ? 'id-mismatch' : `${checked.error.reason}: ${checked.error.detail}` }
}

interface FollowedDocument {
  readonly handle: DocHandle<ObjectsDoc>
  readonly space: SpaceId
  readonly stop: () => void
}

export class Indexer implements ChangeSource {
  readonly #db: EchoDatabase
  readonly #documents: DocumentStore
  /** Each followed object document: its handle, its space, and how to stop hearing its changes. */
  readonly #objectDocs = new Map<DocumentId, FollowedDocument>()
  readonly #textOwners = new TextOwners()
  /**
   * Documents that changed in this session: an object learnt later to name one of them (a text a peer sent before
   * the object document of its note was followed here) is indexed then (`#ownTexts`). Roots and object documents
   * land here too; it holds at most the documents this tab has had.
   */
  readonly #changedTexts = new Set<DocumentId>()
  /** When each text named by more than `MAX_TEXT_OWNERS` objects was last indexed again, and its next time. */
  readonly #contested = new Map<DocumentId, { at: number; timer: ReturnType<typeof setTimeout> | undefined }>()
  readonly #texts = new Map<SpaceId, SpaceTexts>()
  /** Notes whose text URL their space's root did not list yet (a peer's object arrived before its root's list). */
  readonly #unlisted = new Map<SpaceId, Map<string, { readonly doc: DocumentId; readonly object: ObjectId }>>()
  readonly #dirty = new Map<DocumentId, Dirty>()
  readonly #failure = new Cell<Error | undefined>(undefined)
  /** Live lists of a space, told of each change to its objects before the index is written. */
  readonly #watchers = new Map<SpaceId, Set<(changes: ObjectChanges) => void>>()
  readonly #textQueue = new TextQueue((id) => this.#fetchText(id))
  readonly #fetchesTexts: () => boolean
  #running: Promise<void> = Promise.resolve()
  #scheduled = false
  /** Texts that arrived within `TEXT_BATCH_MS` of the last write wait here for the next one (see `#markText`). */
  #textTimer: ReturnType<typeof setTimeout> | undefined
  #lastWrite = -Infinity
  #closed = false

  /**
   * `fetchesTexts`: whether this tab asks for the texts its notes were indexed without when their space opens (the
   * tab that talks to peers; another tab would load documents it never shows).
   */
  constructor(db: EchoDatabase, documents: DocumentStore, fetchesTexts: () => boolean) {
    this.#db = db
    this.#documents = documents
    this.#fetchesTexts = fetchesTexts
    // Every document this tab gets is heard, however it came (an editor opened it, a peer sent a change, the
    // text queue fetched it): a note's text typed or received after a reload is searchable too.
    documents.onDocument((handle) => {
      handle.on('change', () => this.#markText(handle.documentId))
      // Loaded before this tab heard of it (a find reads storage before it returns the handle).
      if (handle.isReady()) this.#markText(handle.documentId)
    })
  }

  /** The space's root lists more documents: notes whose text was not listed before are indexed again. */
  textsListed(space: SpaceId): void {
    const pending = this.#unlisted.get(space)
    if (pending === undefined) return
    this.#unlisted.delete(space)
    for (const { doc, object } of pending.values()) this.#mark(doc, space, [object])
  }

  /** The last indexing failure (for example a full disk), until a batch succeeds. */
  get failure(): Observable<Error | undefined> {
    return this.#failure
  }

  /**
   * Follows an object document; re-indexes it now if it moved since it was last
   * indexed. `texts` says which documents a note's text may be read from.
   */
  async watchObjects(space: SpaceId, handle: DocHandle<ObjectsDoc>, texts: SpaceTexts): Promise<void> {
    if (this.#objectDocs.has(handle.documentId)) return
    this.#texts.set(space, texts)
    const changed = ({ patches }: DocHandleChangePayload<ObjectsDoc>): void => {
      const ids = patches.flatMap((patch) =>
        patch.path[0] === 'objects' && patch.path[1] !== undefined ? [patch.path[1]] : [],
      )
      this.#tell(space, handle, ids.map(String))
      this.#mark(handle.documentId, space, ids.map(String))
    }
    handle.on('change', changed)
    this.#objectDocs.set(handle.documentId, { handle, space, stop: () => handle.off('change', changed) })
    this.#ownTexts(space, handle, texts)
    const indexed = await indexedHeads(this.#db, handle.documentId)
    // Dropped meanwhile (no longer this space's, or the space left this device): nothing of it shows.
    if (this.#objectDocs.get(handle.documentId)?.handle !== handle) return
    if (indexed !== headsOf(handle)) {
      // A document that arrived (from a peer, or moved while this device was away) shows in the live lists
      // from its own objects now, not after its whole index write and the lists' next read.
      this.#tell(space, handle, Object.keys(objectsOf(handle.doc()) ?? {}))
      this.#mark(handle.documentId, space, 'all')
    } else if (this.#fetchesTexts()) await this.#askWaiting(handle.documentId, space)
  }

  /**
   * This tab now talks to peers: the notes of the documents it follows that were indexed without their text (a page
   * closed while a space arrived, a text a peer could not give) are indexed again, which asks for their texts.
   */
  async askWaitingTexts(): Promise<void> {
    await Promise.all([...this.#objectDocs].map(([doc, { space }]) => this.#askWaiting(doc, space)))
  }

  async #askWaiting(doc: DocumentId, space: SpaceId): Promise<void> {
    // A read refused (the page closing) leaves them for the next time the space opens.
    const keys = await textsWaitingIn(this.#db, doc).catch(() => [])
    // Dropped meanwhile, or followed for another space since.
    if (this.#objectDocs.get(doc)?.space !== space) return
    const prefix = `${space}/`
    const ids = keys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length))
    if (ids.length > 0) this.#mark(doc, space, ids)
  }

  /** Hears each change to a space's objects as its document now says, before the index has it. */
  watch(space: string, listener: (changes: ObjectChanges) => void): () => void {
    const key = space as SpaceId
    const listeners = this.#watchers.get(key) ?? new Set()
    listeners.add(listener)
    this.#watchers.set(key, listeners)
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0) this.#watchers.delete(key)
    }
  }

  /** A followed object document's heads now, as the index records them when it has caught up. */
  heads(doc: string): string | undefined {
    const handle = this.#objectDocs.get(doc as DocumentId)?.handle
    return handle === undefined ? undefined : headsOf(handle)
  }

  #tell(space: SpaceId, handle: DocHandle<ObjectsDoc>, ids: readonly string[]): void {
    const listeners = this.#watchers.get(space)
    if (listeners === undefined || ids.length === 0) return
    const all = objectsOf(handle.doc()) ?? {}
    const objects = new Map<string, EchoObject | undefined>()
    for (const id of ids) {
      const raw = all[id]
      const read = raw === undefined ? undefined : readObject(raw, id)
      objects.set(id, read?.ok === true ? read.object : undefined)
    }
    for (const listener of [...listeners]) listener({ doc: handle.documentId, objects })
  }

  /** Stops following an object document: its changes are no longer heard nor indexed. */
  forget(doc: DocumentId): void {
    this.#objectDocs.get(doc)?.stop()
    this.#objectDocs.delete(doc)
    this.#dirty.delete(doc)
    this.#textOwners.forget((owner) => owner.doc === doc)
  }

  /**
   * Stops following a space taken back off this device (`Echo.forgetAdopted`): its object documents, the work
   * due for them and its texts still queued. A text of it that arrives later is indexed nowhere.
   */
  forgetSpace(space: SpaceId): void {
    for (const [doc, followed] of this.#objectDocs) if (followed.space === space) this.forget(doc)
    this.#texts.delete(space)
    this.#unlisted.delete(space)
    this.#textOwners.forget((owner) => owner.space === space)
    this.#textQueue.forget(space)
  }

  /** Re-indexes every watched document of a space (after its index rows were cleared). */
  reindexSpace(space: SpaceId): void {
    for (const [doc, dirty] of this.#dirtyTargets(space)) this.#mark(doc, dirty, 'all')
  }

  /**
   * Writes again what a refused batch (a full disk) left out. A failed batch keeps its work, which also
   * goes with the next change; `Echo.flush` calls this after the documents were written.
   */
  retry(): void {
    if (this.#dirty.size > 0 && !this.#scheduled) this.#schedule()
  }

  /**
   * Resolves when every change seen so far is in the index (or its batch failed: see `failure`). Texts still on
   * their way are not waited for: writes, queries and closing wait here, and a peer may take minutes to send a big
   * space's texts, or never send one.
   */
  async settled(): Promise<void> {
    for (;;) {
      const running = this.#running
      await running
      // Texts held for a batch are written now: whoever waits here wants them.
      if (this.#textTimer !== undefined) this.#flushTexts()
      if (running === this.#running && !this.#scheduled) return
    }
  }

  /** Resolves when every text asked for so far is here (or unavailable for now) and its note indexed again. */
  async textsSettled(): Promise<void> {
    for (;;) {
      await this.#textQueue.idle()
      await this.settled()
      // Indexing may have asked for more texts.
      if (this.#textQueue.pending === 0) return
    }
  }

  /** How many of a space's notes' text documents have arrived, of those asked for. */
  textProgress(space: SpaceId): Observable<Progress> {
    return this.#textQueue.progress(space)
  }

  /**
   * Fetches a queued text document; once here its note is indexed again. One unavailable for now is indexed when
   * it arrives, however late: its change is heard like any other (see the constructor).
   */
  async #fetchText(id: DocumentId): Promise<void> {
    // Its notes are indexed again when it is heard (see the constructor), not here: one that came meanwhile (a peer
    // offered it) was heard as it arrived, and marking it here too wrote its notes twice (a 10k space's texts took
    // 149-153 s instead of 109-124 s in the sync bench).
    if (this.#documents.isLoaded(id)) return
    await this.#documents.find<TextDoc>(id, { allowableStates: ['ready', 'unavailable'] })
  }

  /**
   * Learns which objects of an object document name which of its space's texts, from the objects as stored: a note
   * indexed in an earlier session is indexed again when its text changes now. Not validated here: `#row` does when
   * it indexes one, and an object naming a text only costs its own row being written again (paced, see `#markText`).
   */
  #ownTexts(space: SpaceId, handle: DocHandle<ObjectsDoc>, texts: SpaceTexts): void {
    const changedBefore: string[] = []
    for (const [id, raw] of Object.entries(objectsOf(handle.doc()) ?? {})) {
      const text = namedText(raw)
      if (text === undefined || !texts.lists(text)) continue
      this.#textOwners.add(text, { space, object: id as ObjectId, doc: handle.documentId })
      if (this.#changedTexts.has(text)) changedBefore.push(id)
    }
    if (changedBefore.length > 0) this.#mark(handle.documentId, space, changedBefore)
  }

  *#dirtyTargets(space: SpaceId): Generator<[DocumentId, SpaceId]> {
    for (const [doc, followed] of this.#objectDocs) if (followed.space === space) yield [doc, space]
  }

  #mark(doc: DocumentId, space: SpaceId, ids: readonly string[] | 'all'): void {
    this.#requeue(doc, space, ids === 'all' ? ids : new Set(ids))
    if (!this.#scheduled) this.#schedule()
  }

  /**
   * A note's text arrived or changed: its note is indexed again. At once when no write started in the last
   * `TEXT_BATCH_MS`, else with the texts that follow it, in one write when that time is up (or with the next
   * write already due, whichever comes first).
   */
  #markText(text: DocumentId): void {
    if (this.#closed) return
    this.#changedTexts.add(text)
    const owners = this.#textOwners.of(text)
    if (owners.length === 0 || this.#paced(text, owners.length)) return
    for (const owner of owners) this.#requeue(owner.doc, owner.space, new Set([owner.object]))
    if (this.#scheduled || this.#textTimer !== undefined) return
    const wait = this.#lastWrite + TEXT_BATCH_MS - performance.now()
    if (wait <= 0) this.#schedule()
    else this.#textTimer = setTimeout(() => this.#flushTexts(), wait)
  }

  /** True when a text named by many objects was indexed again too recently: it is marked again when its time comes. */
  #paced(text: DocumentId, owners: number): boolean {
    if (owners <= MAX_TEXT_OWNERS) return false
    const contested = this.#contested.get(text) ?? { at: -Infinity, timer: undefined }
    this.#contested.set(text, contested)
    if (contested.timer !== undefined) return true
    // Past a few thousand owners, a pass may take longer than the pause itself: the pause grows with them.
    const wait = contested.at + Math.max(CONTESTED_TEXT_MS, owners * CONTESTED_MS_PER_OWNER) - performance.now()
    if (wait <= 0) {
      contested.at = performance.now()
      return false
    }
    contested.timer = setTimeout(() => {
      contested.timer = undefined
      this.#markText(text)
    }, wait)
    return true
  }

  /** No more timed work (ECHO is closing, after its last `settled()`). */
  close(): void {
    this.#closed = true
    clearTimeout(this.#textTimer)
    this.#textTimer = undefined
    for (const contested of this.#contested.values()) clearTimeout(contested.timer)
    this.#contested.clear()
  }

  #flushTexts(): void {
    clearTimeout(this.#textTimer)
    this.#textTimer = undefined
    if (this.#dirty.size > 0 && !this.#scheduled) this.#schedule()
  }

  #schedule(): void {
    this.#scheduled = true
    this.#running = this.#running.then(() => this.#run())
  }

  async #run(): Promise<void> {
    this.#scheduled = false
    // This write takes every text held for a batch.
    clearTimeout(this.#textTimer)
    this.#textTimer = undefined
    this.#lastWrite = performance.now()
    const work = [...this.#dirty]
    this.#dirty.clear()
    const rows: ObjectRow[] = []
    const textWords = new Map<DocumentId, readonly string[]>()
    const quarantined: QuarantineRow[] = []
    const removedKeys: string[] = []
    const docs: IndexedDocRow[] = []
    try {
      for (const [doc, { space, ids }] of work) {
        const followed = this.#objectDocs.get(doc)
        // No longer followed, or followed for another space since this work was marked.
        if (followed?.space !== space) continue
        const { handle } = followed
        // Deleted from this device (a space taken back): reading it would throw, and fail every batch after.
        if (!handle.isReady()) {
          this.forget(doc)
          continue
        }
        const objects = objectsOf(handle.doc()) ?? {}
        // The heads of the very state read: a list drops what it shows from the document once the index has them.
        const heads = headsOf(handle)
        const wanted = ids === 'all' ? await this.#allIds(doc, space, objects) : ids
        for (const id of wanted) {
          const key = objectKey(space, id)
          const raw = objects[id]
          if (raw === undefined) {
            removedKeys.push(key)
            continue
          }
          const read = readObject(raw, id)
          if (read.ok) rows.push(await this.#row(space, doc, key, read.object, textWords))
          else quarantined.push({ key, spaceId: space, id, doc, reason: read.reason })
        }
        docs.push({ doc, spaceId: space, heads })
      }
      await writeIndexBatch(this.#db, { rows, quarantined, removedKeys, docs })
      this.#failure.set(undefined)
    } catch (error) {
      // Nothing of the batch was written: its work stays due, or the rows would lag their documents for good.
      for (const [doc, { space, ids }] of work) {
        if (this.#objectDocs.has(doc)) this.#requeue(doc, space, ids)
      }
      this.#failure.set(error instanceof Error ? error : new Error(String(error)))
    }
  }

  /** Adds work without scheduling it (failed work waits for the next change or `retry()`). */
  #requeue(doc: DocumentId, space: SpaceId, ids: Set<string> | 'all'): void {
    const dirty = this.#dirty.get(doc) ?? { space, ids: new Set<string>() }
    if (ids === 'all') dirty.ids = 'all'
    else if (dirty.ids !== 'all') for (const id of ids) dirty.ids.add(id)
    this.#dirty.set(doc, dirty)
  }

  async #allIds(doc: DocumentId, space: SpaceId, objects: Record<string, unknown>): Promise<Set<string>> {
    const ids = new Set(Object.keys(objects))
    const prefix = `${space}/`
    for (const key of await keysFromDocument(this.#db, doc)) ids.add(key.slice(prefix.length))
    return ids
  }

  /** `textWords`: the words of each text read in this batch, shared by every object naming it. */
  async #row(
    space: SpaceId,
    doc: DocumentId,
    key: string,
    object: EchoObject,
    textWords: Map<DocumentId, readonly string[]>,
  ): Promise<ObjectRow> {
    const { title, order = '', textDocument } = specOf(object.type).index(object.fields)
    const text = textDocument === undefined ? [] : await this.#text(space, doc, object.id, textDocument, textWords)
    const row: ObjectRow = {
      key,
      spaceId: space,
      id: object.id,
      type: object.type,
      doc,
      deleted: object.deleted === true ? 1 : 0,
      createdAt: object.createdAt,
      updatedAt: object.updatedAt,
      title: title.toLowerCase(),
      order,
      words: joinWords(wordsOf(title), text ?? []),
      record: object,
    }
    // Flagged to be indexed again when the space next opens (a deleted note's text waits for its restore).
    return text === undefined && object.deleted !== true ? { ...row, textWaiting: 1 } : row
  }

  /**
   * The words of an object's text (a note's), or undefined while it cannot be read: its document is not here (it
   * is on its way), or the URL names none of the space's texts (yet: indexed again if the root lists it later).
   */
  async #text(
    space: SpaceId,
    doc: DocumentId,
    object: ObjectId,
    url: string,
    textWords: Map<DocumentId, readonly string[]>,
  ): Promise<readonly string[] | undefined> {
    // An object may name any URL; only its own space's text documents are read.
    const listed = this.#texts.get(space)?.of(url)
    if (listed === undefined) {
      // Indexed again once the root lists it (`textsListed`), so its text is fetched and searchable then.
      const pending = this.#unlisted.get(space) ?? new Map<string, { doc: DocumentId; object: ObjectId }>()
      pending.set(url, { doc, object })
      this.#unlisted.set(space, pending)
      return undefined
    }
    this.#textOwners.add(listed, { space, object, doc })
    // Not loaded yet (on disk, or still to come from a peer): the queue brings it and the note is indexed again.
    if (!this.#documents.isLoaded(listed)) {
      this.#textQueue.enqueue(space, listed)
      return undefined
    }
    const known = textWords.get(listed)
    if (known !== undefined) return known
    const words = wordsOf(textOf(await this.#documents.find<TextDoc>(listed)))
    textWords.set(listed, words)
    return words
  }
}
