import 'fake-indexeddb/auto'
import { runStorageAdapterTests } from '@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js'
import { describe, expect, it } from 'vitest'
import { StorageQuotaExceeded } from '../errors'
import { DexieStorageAdapter } from './dexie-storage-adapter'
import { openEchoDatabase } from './echo-database'
import { quotaBudgetMiddleware } from './quota-budget'

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

describe('DexieStorageAdapter range reads', () => {
  it('reads ranges asked for together in one transaction, each with its own chunks in the order saved', async () => {
    const db = freshDatabase()
    // Counts the database transactions (Dexie's own layer, under explicit and implicit ones alike); set before
    // the database opens.
    let transactions = 0
    db.use({
      stack: 'dbcore',
      name: 'count-transactions',
      create: (down) => ({
        ...down,
        transaction: (...args) => {
          transactions++
          return down.transaction(...args)
        },
      }),
    })
    const adapter = new DexieStorageAdapter(db)
    const docs = Array.from({ length: 20 }, (_, n) => `doc${String(n).padStart(2, '0')}`)
    for (const doc of docs) {
      await adapter.save([doc, 'incremental', 'z'], new Uint8Array([1]))
      await adapter.save([doc, 'incremental', 'a'], new Uint8Array([2]))
    }
    transactions = 0
    // A peer's offers: two ranges of each document (snapshot and incremental), all at once.
    const reads = docs.flatMap((doc) => [adapter.loadRange([doc, 'snapshot']), adapter.loadRange([doc, 'incremental'])])
    const found = await Promise.all(reads)
    // One transaction per range before (40 here).
    expect(transactions).toBeLessThanOrEqual(2)
    docs.forEach((doc, n) => {
      expect(found[2 * n]).toEqual([])
      expect(found[2 * n + 1]).toEqual([
        { key: [doc, 'incremental', 'z'], data: new Uint8Array([1]) },
        { key: [doc, 'incremental', 'a'], data: new Uint8Array([2]) },
      ])
    })
    // A read asked for while a batch is under way goes in the next one, and still gets its chunks.
    const first = adapter.loadRange(['doc00'])
    const later = Promise.resolve().then(() => adapter.loadRange(['doc01', 'incremental']))
    expect((await first).length).toBe(2)
    expect((await later).length).toBe(2)
    await db.delete()
  })
})
