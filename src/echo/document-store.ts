/**
 * ECHO's door to automerge-repo documents, which also decides when they are
 * written. automerge-repo's own throttled save runs detached (`void save()`), so
 * a full disk would become an unhandled rejection with no one to tell; instead
 * the repo's timer is set out of reach and this store saves the documents it
 * handed out, after `delayMs` or at `flush()`, and returns failures as typed
 * errors. A failed document stays dirty and is written again at the next flush,
 * or on its own after `retryMs` (a full disk may get room again while the page is open).
 */
import type { PatchInfo } from '@automerge/automerge/slim'
import { getHeads, hasHeads, load, merge } from '@automerge/automerge/slim'
import type { AnyDocumentId, DocHandle, DocumentId, HandleState, Repo } from '@automerge/automerge-repo/slim'
import type { Result } from '../base'
import { err, ok } from '../base'
import { Aborted, DocumentCorrupt } from './errors'
import type { StorageFailed, StorageQuotaExceeded } from './errors'
import { toStorageError } from './storage/dexie-storage-adapter'

/** The longest timer delay browsers accept; automerge-repo's own saves wait this long, i.e. never. */
export const REPO_SAVE_DELAY_NEVER = 2 ** 31 - 1

/** Loads bytes on their own, to learn whether they are a whole, sound Automerge document. */
const checkDocument = (bytes: Uint8Array): Result<void, DocumentCorrupt> => {
  try {
    load(bytes)
    return ok(undefined)
  } catch (error) {
    return err(new DocumentCorrupt(error instanceof Error ? error.message : String(error), { cause: error }))
  }
}

/**
 * automerge-repo (2.5.6) applies a storage read by replacing the document. A find made while the document is
 * 'requesting' (its synchronizer makes one for each message it gets) starts such a read, which may end after a
 * peer made the document ready and after writes here: the replacement would drop them (two tabs lost a write
 * this way). What the replaced document held and the new one lacks is merged back.
 */
const keepReplaced = <T>(handle: DocHandle<T>, { before, after }: PatchInfo<T>): void => {
  if (!hasHeads(after, getHeads(before))) handle.update((doc) => merge(doc, before))
}

export interface SaveTiming {
  /** How long to wait before writing changed documents (ms). */
  readonly delayMs: number
  /** How long after a refused save to try again (ms). */
  readonly retryMs: number
  /** Called after every save that got through (ECHO writes the index rows a full disk refused). */
  readonly saved?: () => void
}

export class DocumentStore {
  readonly repo: Repo
  readonly #timing: SaveTiming
  readonly #tracked = new Set<DocumentId>()
  readonly #dirty = new Set<DocumentId>()
  /** Told of each document handle once (see `onDocument`). */
  readonly #heard = new Set<DocumentId>()
  readonly #listeners = new Set<(handle: DocHandle<unknown>) => void>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #closed = false
  #lastFailure: StorageQuotaExceeded | StorageFailed | undefined
  /** The save under way; saves run one after another so `flush()` also waits for a timed save. */
  #saving: Promise<unknown> = Promise.resolve()

  constructor(repo: Repo, timing: SaveTiming) {
    this.repo = repo
    this.#timing = timing
    // The repo has no event for a new handle: the synchronizer's `open-doc` names every document synced with a
    // peer, one a peer sent included (the repo makes its handle itself); `#track` covers those made or found here.
    repo.synchronizer.on('open-doc', ({ documentId }) => {
      const handle = repo.handles[documentId]
      if (handle !== undefined) this.#hear(handle)
    })
  }

  /**
   * Calls `listener` once for each document handle this tab gets from now on: made, found, imported here, or
   * opened by a peer's sync (a change a peer sent for a document no one here asked for).
   */
  onDocument(listener: (handle: DocHandle<unknown>) => void): void {
    this.#listeners.add(listener)
  }

  create<T>(initial: T): DocHandle<T> {
    const handle = this.repo.create<T>(initial)
    this.#track(handle)
    this.#mark(handle.documentId)
    return handle
  }

  /** A document may never arrive (no peer has it): `signal` stops the wait, which then rejects with `Aborted`. */
  async find<T>(
    id: AnyDocumentId,
    options: { readonly signal?: AbortSignal; readonly allowableStates?: HandleState[] } = {},
  ): Promise<DocHandle<T>> {
    const handle = await this.repo.find<T>(id, options).catch((error: unknown) => {
      throw options.signal?.aborted === true ? new Aborted({ cause: error }) : error
    })
    if (!this.#tracked.has(handle.documentId)) {
      this.#track(handle)
      // What arrived during the find (a whole document from a peer) changed heads before this store listened,
      // so it is marked here. One loaded from storage costs no write: the repo skips a save with its stored heads.
      if (handle.isReady()) this.#mark(handle.documentId)
    }
    return handle
  }

  /**
   * Takes a document's bytes from outside (a file, a peer) under `id`, merging
   * with what is here. The bytes are loaded on their own first, so damaged or
   * hostile input is refused with `DocumentCorrupt` before it touches a document.
   */
  importDocument<T>(bytes: Uint8Array, id?: DocumentId): Result<DocHandle<T>, DocumentCorrupt> {
    const checked = checkDocument(bytes)
    if (!checked.ok) return checked
    const handle = this.repo.import<T>(bytes, id === undefined ? undefined : { docId: id })
    this.#track(handle)
    this.#mark(handle.documentId)
    return ok(handle)
  }

  /** Whether the document is loaded in this tab (whether or not it was saved yet). */
  isLoaded(id: DocumentId): boolean {
    return this.repo.handles[id]?.isReady() === true
  }

  /** The document's bytes (its whole history), for export. */
  async exportDocument(id: DocumentId): Promise<Uint8Array | undefined> {
    return this.repo.export(id)
  }

  /** Deletes a document here, from memory and storage (other peers keep their copies). */
  remove(id: DocumentId): void {
    this.#dirty.delete(id)
    this.#tracked.delete(id)
    this.#heard.delete(id)
    this.repo.delete(id)
  }

  /** Like `remove`, and resolves once its chunks are gone from storage (the repo's own removal is not awaited). */
  async removeStored(id: DocumentId): Promise<Result<void, StorageQuotaExceeded | StorageFailed>> {
    this.remove(id)
    try {
      await this.repo.storageSubsystem?.removeDoc(id)
      return ok(undefined)
    } catch (error) {
      return err(toStorageError(error))
    }
  }

  /** The failure of the last background save, if it failed (cleared by a successful save). */
  get lastFailure(): StorageQuotaExceeded | StorageFailed | undefined {
    return this.#lastFailure
  }

  /** Writes every changed document now, after any save already under way. */
  flush(): Promise<Result<void, StorageQuotaExceeded | StorageFailed>> {
    const next = this.#saving.then(() => this.#save())
    this.#saving = next
    return next
  }

  async #save(): Promise<Result<void, StorageQuotaExceeded | StorageFailed>> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const ids = [...this.#dirty]
    this.#dirty.clear()
    try {
      await this.repo.flush(ids)
      this.#lastFailure = undefined
      this.#timing.saved?.()
      return ok(undefined)
    } catch (error) {
      for (const id of ids) this.#dirty.add(id)
      this.#lastFailure = toStorageError(error)
      this.#later(this.#timing.retryMs)
      return err(this.#lastFailure)
    }
  }

  /** No more timed saves (ECHO is closing); `flush()` still writes what is asked. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #later(delayMs: number): void {
    if (!this.#closed) this.#timer ??= setTimeout(() => void this.flush(), delayMs)
  }

  #track(handle: DocHandle<unknown>): void {
    if (this.#tracked.has(handle.documentId)) return
    this.#tracked.add(handle.documentId)
    handle.on('heads-changed', () => this.#mark(handle.documentId))
    handle.on('change', ({ patchInfo }) => keepReplaced(handle, patchInfo))
    this.#hear(handle)
  }

  #hear(handle: DocHandle<unknown>): void {
    if (this.#heard.has(handle.documentId)) return
    this.#heard.add(handle.documentId)
    for (const listener of this.#listeners) listener(handle)
  }

  #mark(id: DocumentId): void {
    // A removed document may still announce its deletion; there is nothing left to save.
    if (!this.#tracked.has(id)) return
    this.#dirty.add(id)
    this.#later(this.#timing.delayMs)
  }
}
