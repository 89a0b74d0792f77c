import 'fake-indexeddb/auto'
import { runStorageAdapterTests } from '@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js'
import { describe, expect, it, vi } from 'vitest'
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

/**
 * Counts the requests that reach the chunks table: its reads (`query`, `get`, cursors). A Dexie
 * middleware is taken up as the database opens, so this comes before the first request.
 */
const countChunkRequests = (db: ReturnType<typeof freshDatabase>) => {
  const counts = { reads: 0 }
  db.use(
    chunkTableMiddleware('count-chunk-requests', (table) => ({
      ...table,
      get: (request) => (counts.reads++, table.get(request)),
      getMany: (request) => (counts.reads++, table.getMany(request)),
      query: (request) => (counts.reads++, table.query(request)),
      openCursor: (request) => (counts.reads++, table.openCursor(request)),
    })),
  )
  return counts
}

const bytes = (...values: number[]) => new Uint8Array(values)

describe('DexieStorageAdapter reads and writes few requests', () => {
  it("answers a document's snapshots, incrementals and sync state from one read", async () => {
    const db = freshDatabase()
    const counts = countChunkRequests(db)
    const adapter = new DexieStorageAdapter(db)
    await adapter.save(['doc', 'snapshot', 's1'], bytes(1))
    await adapter.save(['doc', 'incremental', 'i1'], bytes(2))
    await adapter.save(['doc', 'incremental', 'i2'], bytes(3))
    await adapter.save(['doc', 'sync-state', 'peer'], bytes(4))
    await adapter.save(['other', 'snapshot', 's1'], bytes(5))
    counts.reads = 0

    expect(await adapter.loadRange(['doc', 'snapshot'])).toEqual([{ key: ['doc', 'snapshot', 's1'], data: bytes(1) }])
    expect(await adapter.loadRange(['doc', 'incremental'])).toEqual([
      { key: ['doc', 'incremental', 'i1'], data: bytes(2) },
      { key: ['doc', 'incremental', 'i2'], data: bytes(3) },
    ])
    expect(await adapter.load(['doc', 'sync-state', 'peer'])).toEqual(bytes(4))
    expect(await adapter.load(['doc', 'sync-state', 'nobody'])).toBeUndefined()
    expect(counts.reads).toBe(1)
    await db.delete()
  })

  it('reads a document again after its own write, and after a second for what other tabs wrote', async () => {
    vi.useFakeTimers({ toFake: ['performance'] })
    try {
      const db = freshDatabase()
      const adapter = new DexieStorageAdapter(db)
      expect(await adapter.loadRange(['doc'])).toEqual([])

      await adapter.save(['doc', 'incremental', 'i1'], bytes(1))
      expect(await adapter.loadRange(['doc'])).toEqual([{ key: ['doc', 'incremental', 'i1'], data: bytes(1) }])
      await adapter.remove(['doc', 'incremental', 'i1'])
      expect(await adapter.loadRange(['doc'])).toEqual([])

      // Another tab writes straight to the database: this tab's read of a moment ago still answers.
      await db.chunks.add({ key: ['doc', 'incremental', 'i2'], data: bytes(2) })
      expect(await adapter.loadRange(['doc'])).toEqual([])
      vi.advanceTimersByTime(1_000)
      expect(await adapter.loadRange(['doc'])).toEqual([{ key: ['doc', 'incremental', 'i2'], data: bytes(2) }])
      await db.delete()
    } finally {
      vi.useRealTimers()
    }
  })

  it('reads a lone sync state by its key: a later range read of its document sees what another tab wrote', async () => {
    const db = freshDatabase()
    const adapter = new DexieStorageAdapter(db)
    await adapter.save(['doc', 'sync-state', 'peer'], bytes(1))
    expect(await adapter.load(['doc', 'sync-state', 'peer'])).toEqual(bytes(1))
    await db.chunks.add({ key: ['doc', 'snapshot', 's1'], data: bytes(2) })
    expect(await adapter.loadRange(['doc', 'snapshot'])).toEqual([{ key: ['doc', 'snapshot', 's1'], data: bytes(2) }])
    await db.delete()
  })

  it('shares no failed read: the next one reads again', async () => {
    const db = freshDatabase()
    let failNext = false
    db.use(
      chunkTableMiddleware('fail-one-read', (table) => ({
        ...table,
        query: (request) => {
          if (!failNext) return table.query(request)
          failNext = false
          return Promise.reject(new Error('read failed'))
        },
      })),
    )
    const adapter = new DexieStorageAdapter(db)
    await adapter.save(['doc', 'snapshot', 's1'], bytes(1))
    failNext = true
    await expect(adapter.loadRange(['doc'])).rejects.toThrow()
    expect(await adapter.loadRange(['doc'])).toEqual([{ key: ['doc', 'snapshot', 's1'], data: bytes(1) }])
    await db.delete()
  })
})
