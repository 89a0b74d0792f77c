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
import type { EchoDatabase } from './echo-database'

export type StorageStatus = 'ok' | 'quota-exceeded' | 'failed'

const isQuotaError = (error: unknown): boolean => {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; depth++) {
    if (cause.name === 'QuotaExceededError') return true
    cause = 'inner' in cause && cause.inner instanceof Error ? cause.inner : cause.cause
  }
  return false
}

/** Turns whatever IndexedDB threw into one of our two storage errors. */
export const toStorageError = (error: unknown): StorageQuotaExceeded | StorageFailed => {
  if (error instanceof StorageQuotaExceeded || error instanceof StorageFailed) return error
  if (isQuotaError(error)) return new StorageQuotaExceeded({ cause: error })
  return new StorageFailed(error instanceof Error ? error.message : String(error), { cause: error })
}

interface PendingSave {
  readonly key: StorageKey
  readonly data: Uint8Array
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

export class DexieStorageAdapter implements StorageAdapterInterface {
  readonly #db: EchoDatabase
  readonly #status = new Cell<StorageStatus>('ok')
  #pending: PendingSave[] = []

  constructor(db: EchoDatabase) {
    this.#db = db
  }

  /** 'quota-exceeded' after a refused write, until a later write succeeds. */
  get status(): Observable<StorageStatus> {
    return this.#status
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const row = await this.#db.chunks.where('key').equals(key).first()
    return row?.data
  }

  /**
   * Saves made in the same tick (automerge-repo saves every changed document at
   * once on flush) go into one transaction: one commit instead of thousands.
   * If the transaction fails, every save in it fails, and nothing of it is stored.
   */
  save(key: StorageKey, data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ key, data, resolve, reject })
      if (this.#pending.length === 1) queueMicrotask(() => void this.#commit())
    })
  }

  async #commit(): Promise<void> {
    const batch = this.#pending
    this.#pending = []
    const chunks = this.#db.chunks
    try {
      await this.#write(() =>
        this.#db.transaction('rw', chunks, async () => {
          for (const { key, data } of batch) {
            const existing = await chunks.where('key').equals(key).first()
            if (existing === undefined) await chunks.add({ key, data })
            else await chunks.put({ seq: existing.seq, key, data })
          }
        }),
      )
      for (const save of batch) save.resolve()
    } catch (error) {
      for (const save of batch) save.reject(error)
    }
  }

  async remove(key: StorageKey): Promise<void> {
    await this.#write(() => this.#db.chunks.where('key').equals(key).delete())
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const rows = await this.#range(keyPrefix).toArray()
    rows.sort((a, b) => a.seq - b.seq)
    return rows.map((row) => ({ key: row.key, data: row.data }))
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    await this.#write(() => this.#range(keyPrefix).delete())
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
