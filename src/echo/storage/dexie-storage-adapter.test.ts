import 'fake-indexeddb/auto'
import { runStorageAdapterTests } from '@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js'
import { describe, expect, it } from 'vitest'
import { StorageQuotaExceeded } from '../errors'
import { DexieStorageAdapter } from './dexie-storage-adapter'
import { openEchoDatabase } from './echo-database'
import { chunkTableMiddleware, quotaBudgetMiddleware } from './quota-budget'

let counter = 0
const freshDatabase = () => openEchoDatabase({ name: `adapter-test-${++counter}` })

runStorageAdapterTests(() => {
  const db = freshDatabase()
  return Promise.resolve({ adapter: new DexieStorageAdapter(db), teardown: () => db.delete() })
}, 'DexieStorageAdapter')

describe('DexieStorageAdapter on a full disk', () => {
  it('refuses with StorageQuotaExceeded, reports it, and keeps what was stored', async () => {
    const db = freshDatabase()
    const budget = { remaining: 1000 }
    db.use(quotaBudgetMiddleware(budget))
    const adapter = new DexieStorageAdapter(db)
    const seen: string[] = []
    adapter.status.subscribe((status) => seen.push(status))

    await adapter.save(['doc', 'snapshot', 'a'], new Uint8Array([1, 2, 3]))
    await expect(adapter.save(['doc', 'incremental', 'b'], new Uint8Array(5000))).rejects.toBeInstanceOf(
      StorageQuotaExceeded,
    )
    expect(adapter.status.get()).toBe('quota-exceeded')
    expect(await adapter.loadRange(['doc'])).toEqual([
      { key: ['doc', 'snapshot', 'a'], data: new Uint8Array([1, 2, 3]) },
    ])

    budget.remaining = 10_000
    await adapter.save(['doc', 'incremental', 'b'], new Uint8Array(50))
    expect(seen).toEqual(['quota-exceeded', 'ok'])
    await db.delete()
  })
})

describe('DexieStorageAdapter saves made in one tick', () => {
  it('keeps the last data of a key saved twice, in the place of its first save, beside stored keys', async () => {
    const db = freshDatabase()
    const adapter = new DexieStorageAdapter(db)
    await adapter.save(['doc', 'snapshot', 'a'], new Uint8Array([1]))
    await Promise.all([
      adapter.save(['doc', 'incremental', 'b'], new Uint8Array([2])),
      adapter.save(['doc', 'snapshot', 'a'], new Uint8Array([3])),
      adapter.save(['doc', 'incremental', 'c'], new Uint8Array([4])),
      adapter.save(['doc', 'incremental', 'b'], new Uint8Array([5])),
    ])
    expect(await adapter.loadRange(['doc'])).toEqual([
      { key: ['doc', 'snapshot', 'a'], data: new Uint8Array([3]) },
      { key: ['doc', 'incremental', 'b'], data: new Uint8Array([5]) },
      { key: ['doc', 'incremental', 'c'], data: new Uint8Array([4]) },
    ])
    expect(await db.chunks.count()).toBe(3)
    await db.delete()
  })

  it('tells apart keys whose parts join to the same text (a storage id is a peer\u2019s string)', async () => {
    const db = freshDatabase()
    const adapter = new DexieStorageAdapter(db)
    await Promise.all([
      adapter.save(['doc', 'sync-state', 'x\u0000y'], new Uint8Array([1])),
      adapter.save(['doc', 'sync-state', 'x', 'y'], new Uint8Array([2])),
    ])
    expect(await adapter.load(['doc', 'sync-state', 'x\u0000y'])).toEqual(new Uint8Array([1]))
    expect(await adapter.load(['doc', 'sync-state', 'x', 'y'])).toEqual(new Uint8Array([2]))
    await db.delete()
  })

  it('stores none of them when the disk refuses the batch, and keeps what was stored', async () => {
    const db = freshDatabase()
    const budget = { remaining: 1000 }
    db.use(quotaBudgetMiddleware(budget))
    const adapter = new DexieStorageAdapter(db)
    await adapter.save(['doc', 'snapshot', 'a'], new Uint8Array([1]))
    const saves = [
      adapter.save(['doc', 'snapshot', 'a'], new Uint8Array([2])),
      adapter.save(['doc', 'incremental', 'big'], new Uint8Array(5000)),
    ]
    for (const save of saves) await expect(save).rejects.toBeInstanceOf(StorageQuotaExceeded)
    expect(await adapter.loadRange(['doc'])).toEqual([{ key: ['doc', 'snapshot', 'a'], data: new Uint8Array([1]) }])
    await db.delete()
  })
})

describe('DexieStorageAdapter reads of a document', () => {
  const countingReads = () => {
    const db = freshDatabase()
    const reads = { count: 0 }
    db.use(
      chunkTableMiddleware('count-reads', (table) => ({
        ...table,
        query: (request) => {
          reads.count += 1
          return table.query(request)
        },
      })),
    )
    return { db, reads, adapter: new DexieStorageAdapter(db) }
  }

  it('loads a document and its sync state (three reads of its parts, in turn) in one read', async () => {
    const { db, reads, adapter } = countingReads()
    await Promise.all([
      adapter.save(['doc', 'snapshot', 'a'], new Uint8Array([1])),
      adapter.save(['doc', 'incremental', 'b'], new Uint8Array([2])),
      adapter.save(['doc', 'sync-state', 'peer'], new Uint8Array([3])),
      adapter.save(['other', 'snapshot', 'c'], new Uint8Array([4])),
    ])
    reads.count = 0
    expect(await adapter.loadRange(['doc', 'snapshot'])).toEqual([
      { key: ['doc', 'snapshot', 'a'], data: new Uint8Array([1]) },
    ])
    expect(await adapter.loadRange(['doc', 'incremental'])).toEqual([
      { key: ['doc', 'incremental', 'b'], data: new Uint8Array([2]) },
    ])
    expect(await adapter.load(['doc', 'sync-state', 'peer'])).toEqual(new Uint8Array([3]))
    expect(await adapter.load(['doc', 'sync-state', 'another peer'])).toBeUndefined()
    expect(reads.count).toBe(1)
    await db.delete()
  })

  it('reads what was saved or removed after an earlier read of the document', async () => {
    const { db, adapter } = countingReads()
    await adapter.save(['doc', 'sync-state', 'peer'], new Uint8Array([1]))
    expect(await adapter.load(['doc', 'sync-state', 'peer'])).toEqual(new Uint8Array([1]))
    await adapter.save(['doc', 'sync-state', 'peer'], new Uint8Array([2]))
    expect(await adapter.load(['doc', 'sync-state', 'peer'])).toEqual(new Uint8Array([2]))
    await adapter.save(['doc', 'snapshot', 'a'], new Uint8Array([3]))
    expect(await adapter.loadRange(['doc', 'snapshot'])).toEqual([
      { key: ['doc', 'snapshot', 'a'], data: new Uint8Array([3]) },
    ])
    await adapter.remove(['doc', 'snapshot', 'a'])
    expect(await adapter.loadRange(['doc', 'snapshot'])).toEqual([])
    await adapter.removeRange(['doc', 'sync-state'])
    expect(await adapter.load(['doc', 'sync-state', 'peer'])).toBeUndefined()
    await db.delete()
  })

  it('does not keep a read asked for while a save of the document was under way', async () => {
    const { db, adapter } = countingReads()
    await adapter.save(['doc', 'sync-state', 'peer'], new Uint8Array([1]))
    const saving = adapter.save(['doc', 'sync-state', 'peer'], new Uint8Array([2]))
    // Read in a transaction that may run before the save's: it may find either.
    const during = adapter.load(['doc', 'sync-state', 'peer'])
    await saving
    expect([[1], [2]]).toContainEqual([...((await during) ?? [])])
    expect(await adapter.load(['doc', 'sync-state', 'peer'])).toEqual(new Uint8Array([2]))
    await db.delete()
  })

  it('reads a sync state asked for alone by its key, not with its document’s chunks', async () => {
    const db = freshDatabase()
    const read = { bytes: 0 }
    db.use(
      chunkTableMiddleware('count-bytes', (table) => ({
        ...table,
        query: async (request) => {
          const response = await table.query(request)
          for (const row of response.result as { data?: Uint8Array }[]) read.bytes += row.data?.length ?? 0
          return response
        },
      })),
    )
    await new DexieStorageAdapter(db).save(['doc', 'snapshot', 'a'], new Uint8Array(100_000))
    await new DexieStorageAdapter(db).save(['doc', 'sync-state', 'peer'], new Uint8Array([1]))
    // A peer met when the document was loaded long ago (here by another adapter): the repo asks for its state only.
    const adapter = new DexieStorageAdapter(db)
    read.bytes = 0
    expect(await adapter.load(['doc', 'sync-state', 'peer'])).toEqual(new Uint8Array([1]))
    expect(await adapter.load(['doc', 'sync-state', 'another peer'])).toBeUndefined()
    expect(read.bytes).toBe(1)
    await db.delete()
  })
})

describe('DexieStorageAdapter when a request of a bulk write is refused', () => {
  it('reports a full disk the browser gives on one request (a Dexie BulkError) as StorageQuotaExceeded', async () => {
    const db = freshDatabase()
    // What Dexie's DBCore resolves with when IndexedDB fires QuotaExceededError on one request of a bulk write.
    db.use(
      chunkTableMiddleware('refuse-requests', (table) => ({
        ...table,
        mutate: (request) =>
          (request.type === 'add' || request.type === 'put') && request.values.length > 0
            ? Promise.resolve({
                numFailures: 1,
                failures: { 0: new DOMException('quota exceeded (request)', 'QuotaExceededError') },
                results: [],
                lastResult: undefined,
              })
            : table.mutate(request),
      })),
    )
    const adapter = new DexieStorageAdapter(db)
    await expect(adapter.save(['doc', 'snapshot', 'a'], new Uint8Array([1]))).rejects.toBeInstanceOf(
      StorageQuotaExceeded,
    )
    expect(adapter.status.get()).toBe('quota-exceeded')
    await db.delete()
  })
})
