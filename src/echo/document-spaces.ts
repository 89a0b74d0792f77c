/**
 * Which space a document belongs to, answered from memory and synchronously (the mesh's access rule asks it on
 * every inbound message). The answer is a stored fact, made once and never moved: a root belongs to the space it
 * was registered for; any other document to the space it was made for here, or, for one that came from elsewhere,
 * to the space whose claim it arrived under. Roots are written by peers, so a listing is only a claim: a claim on a
 * document placed in another space is ignored, whatever order roots are followed in (CONTEXT.md, "Which space a
 * document belongs to"). A `documents` field holding junk lists nothing, and the change listener never throws.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { SpaceId } from './ids'
import type { DocumentId, SpaceDoc } from './space/documents'
import type { OfferRank } from './offer-queue'
import { recordIn } from './space/root-fields'
import type { DocumentSpaceStore } from './storage/document-space-store'

export interface DocumentSpacesOptions {
  /** A root lists a document it did not list before, or an answer moved (the share rules may now say yes). */
  readonly listed?: (space: SpaceId) => void
  /** Whether the document's content is on this device (loaded here): from then on its answer is kept. */
  readonly isHere?: (doc: DocumentId) => boolean
  /** Where answers are kept; without one they last as long as this object (tests of the rule alone). */
  readonly store?: DocumentSpaceStore
}

export class DocumentSpaces {
  readonly #onListed: (space: SpaceId) => void
  readonly #isHere: (doc: DocumentId) => boolean
  readonly #store: DocumentSpaceStore | undefined
  /** The stored answers, and those made here since (being stored). */
  readonly #placed = new Map<DocumentId, SpaceId>()
  /** Documents with no answer yet (not here): the spaces whose roots list them, the latest last. */
  readonly #claims = new Map<DocumentId, SpaceId[]>()
  readonly #listed = new Map<SpaceId, ReadonlySet<DocumentId>>()
  /** Roots followed here, and each space's listed object documents: the documents a peer is offered first. */
  readonly #roots = new Set<DocumentId>()
  readonly #objects = new Map<SpaceId, ReadonlySet<DocumentId>>()
  readonly #unsaved = new Map<DocumentId, SpaceId>()
  #loading: Promise<void> | undefined
  #saving: Promise<Error | undefined> = Promise.resolve(undefined)
  #saveScheduled = false

  constructor(options: DocumentSpacesOptions = {}) {
    this.#onListed = options.listed ?? (() => undefined)
    this.#isHere = options.isHere ?? (() => false)
    this.#store = options.store
  }

  /** Reads the stored answers; once, and before any root is followed. */
  load(): Promise<void> {
    this.#loading ??= (async () => {
      for (const [doc, space] of (await this.#store?.load()) ?? [])
        this.#placed.set(doc as DocumentId, space as SpaceId)
    })().catch((error: unknown) => {
      this.#loading = undefined
      throw error
    })
    return this.#loading
  }

  /** Follows `root`'s list from now on (its space's own root is placed there); returns how to stop. */
  follow(space: SpaceId, root: DocHandle<SpaceDoc>): () => void {
    this.#place(root.documentId, space)
    this.#roots.add(root.documentId)
    this.#update(space, root)
    const changed = ({ patches }: { patches: readonly { path: readonly unknown[] }[] }) => {
      if (patches.some((patch) => patch.path[0] === 'documents' || patch.path.length === 0)) this.#update(space, root)
    }
    root.on('change', changed)
    return () => root.off('change', changed)
  }

  /**
   * The space of a document its space's root lists (or is): its stored answer, else (not here yet) the latest
   * space claiming it, which peers it may come from. Undefined while its space does not list it.
   */
  spaceOf(documentId: DocumentId): SpaceId | undefined {
    const placed = this.#placed.get(documentId) ?? this.#settle(documentId)
    if (placed !== undefined) return this.#listed.get(placed)?.has(documentId) === true ? placed : undefined
    return this.#claims.get(documentId)?.at(-1)
  }

  /** Whether `documentId` is the root of a space followed here. */
  isRoot(documentId: DocumentId): boolean {
    return this.#roots.has(documentId)
  }

  /** How soon a peer is offered the document: a root at once, then object documents, then the rest (texts). */
  rank(documentId: DocumentId): OfferRank {
    if (this.isRoot(documentId)) return 0
    for (const objects of this.#objects.values()) if (objects.has(documentId)) return 1
    return 2
  }

  /** Whether `space` may take `documentId` as its own: no answer names another space. */
  owns(space: SpaceId, documentId: DocumentId): boolean {
    return (this.#placed.get(documentId) ?? this.#settle(documentId) ?? space) === space
  }

  /** The stored (or being stored) answer, if any. */
  placement(documentId: DocumentId): SpaceId | undefined {
    return this.#placed.get(documentId) ?? this.#settle(documentId)
  }

  /** Writes the answers made since the last write; resolves with the error when storage refused them. */
  flush(): Promise<Error | undefined> {
    this.#saving = this.#saving.then(() => this.#save())
    return this.#saving
  }

  /** A space left this device (`Echo.forgetAdopted`): its answers go with it. */
  async forget(space: SpaceId): Promise<void> {
    await this.#saving
    for (const [doc, placed] of this.#placed) if (placed === space) this.#placed.delete(doc)
    for (const [doc, placed] of this.#unsaved) if (placed === space) this.#unsaved.delete(doc)
    this.#listed.delete(space)
    this.#objects.delete(space)
    await this.#store?.forget(space)
  }

  #update(space: SpaceId, root: DocHandle<SpaceDoc>): void {
    const documents = recordIn(root.doc().documents)
    const now = new Set<DocumentId>([root.documentId, ...(Object.keys(documents) as DocumentId[])])
    this.#objects.set(
      space,
      new Set(Object.keys(documents).filter((doc) => documents[doc] === 'objects') as DocumentId[]),
    )
    const before = this.#listed.get(space) ?? new Set<DocumentId>()
    for (const doc of before) if (!now.has(doc)) this.#unclaim(doc, space)
    for (const doc of now) {
      // A document here keeps the claim it arrived under before this one is counted.
      if (before.has(doc) || this.placement(doc) !== undefined) continue
      this.#claims.set(doc, [...(this.#claims.get(doc) ?? []), space])
      // One made here is listed first by the space it was made for.
      this.#settle(doc)
    }
    this.#listed.set(space, now)
    if ([...now].some((doc) => !before.has(doc))) this.#onListed(space)
  }

  /** A document that is here and has no answer yet gets the one it was fetched under (the latest claim). */
  #settle(doc: DocumentId): SpaceId | undefined {
    const space = this.#claims.get(doc)?.at(-1)
    return space !== undefined && this.#isHere(doc) ? this.#place(doc, space) : undefined
  }

  #place(doc: DocumentId, space: SpaceId): SpaceId {
    const placed = this.#placed.get(doc)
    if (placed !== undefined) return placed
    this.#placed.set(doc, space)
    this.#claims.delete(doc)
    this.#unsaved.set(doc, space)
    if (this.#store !== undefined && !this.#saveScheduled) {
      this.#saveScheduled = true
      queueMicrotask(() => {
        this.#saveScheduled = false
        void this.flush()
      })
    }
    return space
  }

  async #save(): Promise<Error | undefined> {
    if (this.#store === undefined || this.#unsaved.size === 0) return undefined
    const batch = new Map(this.#unsaved)
    this.#unsaved.clear()
    try {
      // Another tab may have stored an answer first: the stored one holds here too.
      for (const [doc, stored] of await this.#store.place(batch)) {
        const mine = this.#placed.get(doc as DocumentId)
        if (mine === stored) continue
        this.#placed.set(doc as DocumentId, stored as SpaceId)
        if (mine !== undefined) this.#onListed(mine)
        this.#onListed(stored as SpaceId)
      }
      return undefined
    } catch (error) {
      // Kept in memory, and written with the next answer or at the next flush.
      for (const [doc, space] of batch) if (!this.#unsaved.has(doc)) this.#unsaved.set(doc, space)
      return error instanceof Error ? error : new Error(String(error))
    }
  }

  #unclaim(doc: DocumentId, space: SpaceId): void {
    const claims = this.#claims.get(doc)?.filter((each) => each !== space)
    if (claims === undefined || claims.length === 0) this.#claims.delete(doc)
    else this.#claims.set(doc, claims)
  }
}
