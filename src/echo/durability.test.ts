// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, uniqueDatabaseName } from './testing/fixtures'
import { describe, expect, it } from 'vitest'
import { browserStorageEdge } from './storage/durability'
import { openEchoDatabase } from './storage/echo-database'
import { quotaBudgetMiddleware } from './storage/quota-budget'

describe('a full disk', () => {
  it('surfaces as StorageQuotaExceeded on flush, and what was stored before stays intact', async () => {
    const name = uniqueDatabaseName()
    const budget = { remaining: Number.MAX_SAFE_INTEGER }
    const db = openEchoDatabase({ name })
    db.use(quotaBudgetMiddleware(budget))
    const alice = makeActor()
    const echo = openTestEcho({ db })
    const space = await echo.createSpace(alice, 'Full')
    await space.create(alice, 'task', { title: 'saved', done: false, order: 'a0' })
    expect((await echo.flush()).ok).toBe(true)

    budget.remaining = 0
    await space.create(alice, 'task', { title: 'refused', done: false, order: 'a1' })
    const flushed = await echo.flush()
    expect(!flushed.ok && flushed.error.code).toBe('storage-quota-exceeded')
    expect(echo.storageStatus.get()).toBe('quota-exceeded')
    await echo.close()

    const after = openTestEcho({ name })
    const reopened = await after.openSpace(space.id)
    if (!reopened.ok) throw reopened.error
    expect((await reopened.value.find({ type: 'task' })).map((task) => task.fields.title)).toEqual(['saved'])
    await after.close()
  })
})

describe('eviction', () => {
  it('tells a first run from an identity whose spaces were cleared', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    expect(await echo.health(alice.identity, false)).toBe('first-run')
    expect(await echo.health(alice.identity, true)).toBe('storage-cleared')
    await echo.personalSpace(alice)
    expect(await echo.health(alice.identity, true)).toBe('ok')
    await echo.close()
  })

  it('reads persistence and usage through the storage edge', async () => {
    const calls: string[] = []
    const manager = {
      persist: () => (calls.push('persist'), Promise.resolve(true)),
      persisted: () => Promise.resolve(false),
      estimate: () => Promise.resolve({ usage: 10 }),
    }
    const edge = browserStorageEdge(manager)
    expect([await edge.persist(), await edge.persisted(), await edge.estimate()]).toEqual([
      true,
      false,
      { usage: 10, quota: 0 },
    ])
    expect(calls).toEqual(['persist'])
  })
})
