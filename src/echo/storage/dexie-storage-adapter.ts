/**
 * automerge-repo's storage edge over our Dexie database. Writing it ourselves
 * (rather than the official IndexedDB adapter) keeps one database for chunks and
 * index, and lets a full disk surface as a typed `StorageQuotaExceeded` with the
 * adapter's status observable, instead of a stray rejected promise.
 *
 * IndexedDB transactions, not bytes, were the cost of a big space arriving from a
 * peer: the repo reads a new document's snapshots, then its incrementals, then its
 * sync state, and reads it all again when a message for it comes while it is
 * requested (Repo.findWithProgress 2.5.6 reuses no load in the `requesting` state).
 * That was about 5 read transactions per document, 300 a second queued behind the
 * writes at 150 ms each. Here a range read of a document reads all its chunks, and
 * that read answers the document's reads of the next second (see `#rowsUnder`).
 */
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim'
import { Dexie } from 'dexie'
import { Cell } from '../../base'
import type { Observable } from '../../base'
import { StorageFailed, StorageQuotaExceeded } from '../errors'
import type { ChunkRow, EchoDatabase } from './echo-database'

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

const isStorageId = (key: StorageKey): boolean => key.length === 1 && key[0] === STORAGE_ID_KEY

/**
 * A read of one document's chunks answers the reads of that document that come this soon after it (the repo's
 * loads of one document follow each other within a few round trips). Our own writes end it at once; another tab's
 * write may be missed for this long, which the tab channel makes good: that tab syncs the change to this one.
 */
const SHARED_READ_MS = 1_000

interface SharedRead {
  readonly rows: Promise<readonly ChunkRow[]>
  readonly at: number
}

// Keys are arrays of strings with no NUL in them (document ids, chunk kinds, hashes, storage ids).
const keyText = (key: StorageKey): string => key.join('\u0000')

const startsWith = (key: StorageKey, prefix: StorageKey): boolean =>
  prefix.length <= key.length && prefix.every((part, at) => key[at] === part)

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
  #pending: PendingSave[] = []
  /** Reads by a key's first part (a document id). */
  readonly #reads = new Map<string, SharedRead>()
  #startupOver: () => void = () => undefined
  readonly #started = new Promise<void>((resolve) => (this.#startupOver = resolve))

  constructor(db: EchoDatabase) {
    this.#db = db
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
    const startup = isStorageId(key)
    try {
      // A document read moments ago answers; else this key alone is read (a sync state of a document loaded long
      // ago is small, its document's chunks need not come with it).
      const shared = this.#fresh(key)
      const row =
        shared === undefined
          ? await this.#db.chunks.where('key').equals(key).first()
          : (await shared).find((each) => keyText(each.key) === keyText(key))
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
   * once on flush) go into one transaction: one commit instead of thousands.
   * If the transaction fails, every save in it fails, and nothing of it is stored.
   */
  save(key: StorageKey, data: Uint8Array): Promise<void> {
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
      await this.#write(
        batch.map(({ key }) => key),
        () =>
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
    await this.#write([key], () => this.#db.chunks.where('key').equals(key).delete())
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const rows =
      keyPrefix.length === 0
        ? await this.#db.chunks.toArray()
        : (await this.#rowsUnder(keyPrefix)).filter((row) => startsWith(row.key, keyPrefix))
    return [...rows].sort((a, b) => a.seq - b.seq).map((row) => ({ key: row.key, data: row.data }))
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    await this.#write([keyPrefix], () => this.#range(keyPrefix).delete())
  }

  /** The chunks under `key`'s first part from a read started less than `SHARED_READ_MS` ago, if there is one. */
  #fresh(key: StorageKey): Promise<readonly ChunkRow[]> | undefined {
    const read = this.#reads.get(key[0] ?? '')
    return read !== undefined && performance.now() - read.at < SHARED_READ_MS ? read.rows : undefined
  }

  /** Every chunk under `key`'s first part, from a fresh read (`#fresh`) or a new one the next reads share. */
  #rowsUnder(key: StorageKey): Promise<readonly ChunkRow[]> {
    const shared = this.#fresh(key)
    if (shared !== undefined) return shared
    const first = key[0] ?? ''
    const rows = this.#range([first]).toArray()
    const read = { rows, at: performance.now() }
    this.#reads.set(first, read)
    // Its rows are let go when it is no longer shared, even if nothing reads again.
    setTimeout(() => {
      if (this.#reads.get(first) === read) this.#reads.delete(first)
    }, SHARED_READ_MS)
    // A failed read answers only the reads that shared it.
    rows.catch(() => {
      if (this.#reads.get(first) === read) this.#reads.delete(first)
    })
    return rows
  }

  /** Keys written under these first parts (all of them for an empty key): later reads of them read again. */
  #forget(keys: readonly StorageKey[]): void {
    for (const key of keys) {
      if (key[0] === undefined) this.#reads.clear()
      else this.#reads.delete(key[0])
    }
  }

  // Array keys compare element by element, so [...prefix, maxKey] bounds every key under the prefix.
  #range(prefix: StorageKey) {
    return this.#db.chunks.where('key').between(prefix, [...prefix, Dexie.maxKey], true, true)
  }

  /**
   * Runs a write of `keys`. A read of them shared before it starts is not shared after, nor is one that started
   * while it ran (it may or may not see the write).
   */
  async #write(keys: readonly StorageKey[], operation: () => Promise<unknown>): Promise<void> {
    this.#forget(keys)
    try {
      await operation()
      this.#status.set('ok')
    } catch (error) {
      const typed = toStorageError(error)
      this.#status.set(typed instanceof StorageQuotaExceeded ? 'quota-exceeded' : 'failed')
      throw typed
    } finally {
      this.#forget(keys)
    }
  }
}
