/**
 * automerge-repo's storage edge over our Dexie database. Writing it ourselves
 * (rather than the official IndexedDB adapter) keeps one database for chunks and
 * index, and lets a full disk surface as a typed `StorageQuotaExceeded` with the
 * adapter's status observable, instead of a stray rejected promise.
 */
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim'
import { Dexie } from 'dexie'
import { Cell } from '../../base'
import type { Observable } from '../../base'
import { StorageFailed, StorageQuotaExceeded } from '../errors'
import { DocumentReads } from './document-reads'
import type { ChunkRow, EchoDatabase } from './echo-database'

export type StorageStatus = 'ok' | 'quota-exceeded' | 'failed'

const isQuotaError = (error: unknown, depth = 0): boolean => {
  if (!(error instanceof Error) || depth >= 4) return false
  if (error.name === 'QuotaExceededError') return true
  // A bulk write refused request by request rejects with Dexie's BulkError, which keeps each refusal in `failures`.
  if (error instanceof Dexie.BulkError && error.failures.some((failure) => isQuotaError(failure, depth + 1)))
    return true
  const inner = 'inner' in error && error.inner instanceof Error ? error.inner : error.cause
  return isQuotaError(inner, depth + 1)
}

/** Turns whatever IndexedDB threw into one of our two storage errors. */
export const toStorageError = (error: unknown): StorageQuotaExceeded | StorageFailed => {
  if (error instanceof StorageQuotaExceeded || error instanceof StorageFailed) return error
  if (isQuotaError(error)) return new StorageQuotaExceeded({ cause: error })
  return new StorageFailed(error instanceof Error ? error.message : String(error), { cause: error })
}

const isStorageId = (key: StorageKey): boolean => key.length === 1 && key[0] === STORAGE_ID_KEY

/** automerge-repo's keys of a document's chunks: `[documentId, 'snapshot' | 'incremental' | 'sync-state', name]`. */
const CHUNK_KEY_LENGTH = 3

const startsWith = (key: StorageKey, prefix: StorageKey): boolean =>
  prefix.length <= key.length && prefix.every((part, index) => key[index] === part)

interface PendingSave {
  readonly key: StorageKey
  readonly data: Uint8Array
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/** The key under which automerge-repo keeps its storage id, read (and written when absent) as the repo starts. */
const STORAGE_ID_KEY = 'storage-adapter-id'

export class DexieStorageAdapter implements StorageAdapterInterface {
  readonly #db: EchoDatabase
  readonly #status = new Cell<StorageStatus>('ok')
  readonly #reads: DocumentReads
  #pending: PendingSave[] = []
  #startupOver: () => void = () => undefined
  readonly #started = new Promise<void>((resolve) => (this.#startupOver = resolve))

  constructor(db: EchoDatabase) {
    this.#db = db
    this.#reads = new DocumentReads((doc) => this.#range([doc]).toArray())
  }

  /** 'quota-exceeded' after a refused write, until a later write succeeds. */
  get status(): Observable<StorageStatus> {
    return this.#status
  }

  /**
   * Settles once the repo's startup work with its storage id is over: read, and written if there was none.
   * The repo starts it detached in its constructor, so closing the database before would leave it to fail
   * with no one to tell; `Echo.close` waits for this first.
   */
  get started(): Promise<void> {
    return this.#started
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    // A document read a moment ago answers (the repo loads a document, then the sync state of a peer it meets);
    // else this row alone: a state asked for alone is of a document loaded before (a peer that connects asks for
    // its state of every document the repo holds), whose chunks are not read again for it.
    const [doc] = key
    const kept = key.length === CHUNK_KEY_LENGTH && doc !== undefined ? this.#reads.kept(doc) : undefined
    if (kept !== undefined) return (await kept).find((row) => startsWith(row.key, key))?.data
    const startup = isStorageId(key)
    try {
      const row = await this.#db.chunks.where('key').equals(key).first()
      // A stored id ends the startup; a missing one is written next (`save`).
      if (startup && row !== undefined) this.#startupOver()
      return row?.data
    } catch (error) {
      if (startup) this.#startupOver()
      throw error
    }
  }

  /**
   * Saves made in the same tick (automerge-repo saves every changed document at
   * once on flush) go into one transaction: one commit instead of thousands, and
   * one read and two bulk writes in it, not a read and a write per save (a linked
   * phone saves a document and a sync state for each of a big space's 5,000
   * texts). If the transaction fails, every save in it fails, and nothing of it is stored.
   */
  save(key: StorageKey, data: Uint8Array): Promise<void> {
    this.#written([key])
    const saved = new Promise<void>((resolve, reject) => {
      this.#pending.push({ key, data, resolve, reject })
      if (this.#pending.length === 1) queueMicrotask(() => void this.#commit())
    })
    if (isStorageId(key)) {
      const done = () => this.#startupOver()
      saved.then(done, done)
    }
    return saved
  }

  async #commit(): Promise<void> {
    const batch = this.#pending
    this.#pending = []
    const chunks = this.#db.chunks
    try {
      await this.#write(() =>
        this.#db.transaction('rw', chunks, async () => {
          // A key saved twice in the batch keeps its first place and its last data, as saving them in turn would.
          const latest = new Map<string, { key: StorageKey; data: Uint8Array }>()
          for (const { key, data } of batch) latest.set(JSON.stringify(key), { key, data })
          const stored = await chunks
            .where('key')
            .anyOf([...latest.values()].map(({ key }) => key))
            .toArray()
          const seqOf = new Map(stored.map((row) => [JSON.stringify(row.key), row.seq]))
          const replaced: ChunkRow[] = []
          const added: Omit<ChunkRow, 'seq'>[] = []
          for (const [id, row] of latest) {
            const seq = seqOf.get(id)
            if (seq === undefined) added.push(row)
            else replaced.push({ seq, ...row })
          }
          await chunks.bulkPut(replaced)
          await chunks.bulkAdd(added)
        }),
      )
      this.#written(batch.map(({ key }) => key))
      for (const save of batch) save.resolve()
    } catch (error) {
      this.#written(batch.map(({ key }) => key))
      for (const save of batch) save.reject(error)
    }
  }

  async remove(key: StorageKey): Promise<void> {
    await this.#removing(key, () => this.#db.chunks.where('key').equals(key).delete())
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const [doc] = keyPrefix
    const rows =
      keyPrefix.length === CHUNK_KEY_LENGTH - 1 && doc !== undefined
        ? (await this.#reads.rows(doc)).filter((row) => startsWith(row.key, keyPrefix))
        : await this.#range(keyPrefix).toArray()
    return [...rows].sort((a, b) => a.seq - b.seq).map((row) => ({ key: row.key, data: row.data }))
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    await this.#removing(keyPrefix, () => this.#range(keyPrefix).delete())
  }

  async #removing(key: StorageKey, operation: () => Promise<unknown>): Promise<void> {
    this.#written([key])
    try {
      await this.#write(operation)
    } finally {
      this.#written([key])
    }
  }

  /** Reads of the documents these keys are under, asked for from now on, read again (see `DocumentReads`). */
  #written(keys: readonly StorageKey[]): void {
    for (const [doc] of keys) {
      if (doc === undefined) this.#reads.writtenAll()
      else this.#reads.written(doc)
    }
  }

  // Array keys compare element by element, so [...prefix, maxKey] bounds every key under the prefix.
  #range(prefix: StorageKey) {
    return this.#db.chunks.where('key').between(prefix, [...prefix, Dexie.maxKey], true, true)
  }

  async #write(operation: () => Promise<unknown>): Promise<void> {
    try {
      await operation()
      this.#status.set('ok')
    } catch (error) {
      const typed = toStorageError(error)
      this.#status.set(typed instanceof StorageQuotaExceeded ? 'quota-exceeded' : 'failed')
      throw typed
    }
  }
}
