/**
 * The object documents of one space: which exist (the root's list), which are
 * loaded and indexed, and which one the next objects go into under the
 * placement in force.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import { isValidDocumentId } from '@automerge/automerge-repo/slim'
import type { Observable } from '../../base'
import { Cell } from '../../base'
import type { DocumentStore } from '../document-store'
import type { SpaceId } from '../ids'
import type { Indexer } from '../indexer'
import type { DocumentId, ObjectsDoc, SpaceDoc } from './documents'
import { objectsOf } from './documents'
import type { Placement } from './placement'
import { roomLeft } from './placement'
import { textDocumentIn } from './text'
import type { Progress } from '../text-queue'
import { recordIn } from './root-fields'
import { arrival } from './object-arrival'

/** Object documents loaded at once: roots and objects come first, but a thousand finds at once slow each other. */
const OBJECT_FETCHES = 16

export interface ObjectDocumentsContext {
  readonly documents: DocumentStore
  readonly indexer: Indexer
  readonly placement: Placement
  /** Whether a listed document is this space's (one placed in another space here is not, whatever the root says). */
  readonly owns: (documentId: DocumentId) => boolean
}

export class ObjectDocuments {
  readonly #space: SpaceId
  readonly #root: DocHandle<SpaceDoc>
  readonly #context: ObjectDocumentsContext
  readonly #handles = new Map<DocumentId, DocHandle<ObjectsDoc>>()
  #filling: { readonly handle: DocHandle<ObjectsDoc>; count: number } | undefined
  readonly #progress = new Cell<Progress>({ done: 0, total: 0 })
  /** Listed documents no peer had when asked, each waited for once. */
  readonly #awaited = new Set<DocumentId>()
  /** Documents being loaded: a write and the root's listener asking at once share one load (and one indexer watch). */
  readonly #loading = new Map<DocumentId, Promise<DocHandle<ObjectsDoc> | undefined>>()

  constructor(space: SpaceId, root: DocHandle<SpaceDoc>, context: ObjectDocumentsContext) {
    this.#space = space
    this.#root = root
    this.#context = context
  }

  /** Object documents loaded here, of those the root lists. */
  get progress(): Observable<Progress> {
    return this.#progress
  }

  all(): readonly DocHandle<ObjectsDoc>[] {
    return [...this.#handles.values()]
  }

  /** The document, loading it first if it is listed but not loaded yet (a write soon after opening). */
  /**
   * Object `id` of document `doc` with its handle, once this tab holds both (at most `ms`, `object-arrival.ts`):
   * another tab may have indexed it before this tab's root lists the document or its copy has the change.
   */
  objectOf(
    doc: DocumentId,
    id: string,
    ms: number,
  ): Promise<{ handle: DocHandle<ObjectsDoc>; raw: unknown } | undefined> {
    return arrival(
      async () => {
        const handle = await this.ensure(doc)
        const raw = handle === undefined ? undefined : objectsOf(handle.doc())?.[id]
        return handle === undefined || raw === undefined ? undefined : { handle, raw }
      },
      () => {
        const handle = this.#handles.get(doc)
        return handle === undefined ? [this.#root] : [this.#root, handle]
      },
      ms,
    )
  }

  async ensure(doc: DocumentId): Promise<DocHandle<ObjectsDoc> | undefined> {
    const loaded = this.#handles.get(doc)
    if (loaded !== undefined) return loaded
    return this.#listedHere(recordIn(this.#root.doc().documents), doc) ? this.#watch(doc) : undefined
  }

  /** Every listed document loaded and indexed; every one no longer listed let go. */
  async load(): Promise<void> {
    await this.follow([...(Object.keys(recordIn(this.#root.doc().documents)) as DocumentId[]), ...this.#handles.keys()])
  }

  /** Brings the documents `ids` (just changed in the root's list) in line with the list. */
  async follow(ids: readonly DocumentId[]): Promise<void> {
    const listed = recordIn(this.#root.doc().documents)
    const added: DocumentId[] = []
    // A peer may list any string: only document ids are fetched.
    for (const doc of new Set(ids.filter((id) => isValidDocumentId(id)))) {
      const watched = this.#handles.has(doc)
      if (this.#listedHere(listed, doc) && !watched) added.push(doc)
      if (listed[doc] === undefined && watched) this.#drop(doc)
    }
    this.#count()
    const queue = [...added]
    const worker = async () => {
      for (let doc = queue.shift(); doc !== undefined; doc = queue.shift()) await this.#watch(doc)
    }
    await Promise.all(Array.from({ length: Math.min(OBJECT_FETCHES, queue.length) }, worker))
  }

  #count(): void {
    const listed = recordIn(this.#root.doc().documents)
    const total = (Object.keys(listed) as DocumentId[]).filter((doc) => this.#listedHere(listed, doc)).length
    const done = [...this.#handles.keys()].filter((doc) => this.#listedHere(listed, doc)).length
    const now = this.#progress.get()
    if (now.done !== done || now.total !== total) this.#progress.set({ done, total })
  }

  /**
   * A document for up to `wanted` new objects, and how many it takes. Counts are
   * kept, since counting a document's keys on every write would cost O(n).
   */
  async reserve(wanted: number): Promise<{ handle: DocHandle<ObjectsDoc>; taken: number }> {
    const { placement } = this.#context
    if (this.#filling === undefined) {
      for (const handle of this.#handles.values()) {
        const objects = objectsOf(handle.doc())
        if (objects === undefined) continue
        const count = Object.keys(objects).length
        if (roomLeft(placement, count) > 0) this.#filling = { handle, count }
      }
    }
    const filling = this.#filling
    if (filling !== undefined && roomLeft(placement, filling.count) > 0) {
      const taken = Math.min(wanted, roomLeft(placement, filling.count))
      filling.count += taken
      return { handle: filling.handle, taken }
    }
    const handle = this.#context.documents.create<ObjectsDoc>({
      kind: 'commonplace/objects',
      space: this.#space,
      objects: {},
    })
    // Known at once, so that creates running concurrently fill this document rather than each making one.
    this.#handles.set(handle.documentId, handle)
    const taken = Math.min(wanted, roomLeft(placement, 0))
    this.#filling = { handle, count: taken }
    this.#root.change((doc) => {
      doc.documents[handle.documentId] = 'objects'
    })
    await this.#watch(handle.documentId)
    return { handle, taken }
  }

  /**
   * An object document the root lists that is this space's (the root's listing alone is only a claim). A key that is
   * no document id (a member may write any string) is none: never fetched, so never counted as one still to come.
   */
  #listedHere(listed: Readonly<Record<string, unknown>>, doc: DocumentId): boolean {
    return listed[doc] === 'objects' && isValidDocumentId(doc) && this.#context.owns(doc)
  }

  #drop(doc: DocumentId): void {
    this.#handles.delete(doc)
    this.#context.indexer.forget(doc)
    if (this.#filling?.handle.documentId === doc) this.#filling = undefined
  }

  #watch(doc: DocumentId): Promise<DocHandle<ObjectsDoc> | undefined> {
    const loading = this.#loading.get(doc)
    if (loading !== undefined) return loading
    const started = this.#load(doc).finally(() => this.#loading.delete(doc))
    this.#loading.set(doc, started)
    return started
  }

  async #load(doc: DocumentId): Promise<DocHandle<ObjectsDoc> | undefined> {
    const handle = await this.#context.documents.find<ObjectsDoc>(doc).catch(async (error: unknown) => {
      // No peer had it when asked (another space's claim may have sent the request elsewhere): taken up when it
      // arrives; the load still reports it missing.
      const missing = await this.#context.documents
        .find<ObjectsDoc>(doc, { allowableStates: ['ready', 'unavailable'] })
        .catch(() => undefined)
      if (missing !== undefined && !this.#awaited.has(doc)) {
        this.#awaited.add(doc)
        missing
          .whenReady(['ready'])
          .then(() => {
            this.#awaited.delete(doc)
            return this.follow([doc])
          })
          .catch(() => undefined)
      }
      throw error
    })
    // It arrived under another space's claim: it is that space's, never read nor written as this one's. One whose
    // `objects` is no map (a member wrote it so) is no object document.
    if (!this.#context.owns(doc) || objectsOf(handle.doc()) === undefined) {
      this.#drop(doc)
      this.#count()
      return undefined
    }
    this.#handles.set(doc, handle)
    this.#count()
    // Notes' text is indexed only from the text documents this space's root lists (and that are its own).
    await this.#context.indexer.watchObjects(this.#space, handle, {
      of: (url) => this.#textIn(url),
      lists: (text) => this.#root.doc().documents[text] === 'text' && this.#context.owns(text),
    })
    return handle
  }

  #textIn(url: string): DocumentId | undefined {
    const text = textDocumentIn(this.#root.doc(), url)
    return text !== undefined && this.#context.owns(text) ? text : undefined
  }
}
