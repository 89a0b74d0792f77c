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
