// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, uniqueDatabaseName } from './testing/fixtures'
import { describe, expect, it } from 'vitest'
import type { Echo } from './echo'
import type { SpaceId } from './ids'
import { openEchoDatabase } from './storage/echo-database'
import { quotaBudgetMiddleware } from './storage/quota-budget'
import { waitFor } from './testing/wait-for'

const doneFlags = async (echo: Echo, space: SpaceId): Promise<boolean[]> =>
  (await echo.find(space, { type: 'task' })).map((task) => task.type === 'task' && task.fields.done)

describe('index rows a full disk refused', () => {
  it('are written with the next save, so the list matches the document, before and after a reload', async () => {
    const name = uniqueDatabaseName()
    const budget = { remaining: Number.MAX_SAFE_INTEGER }
    const db = openEchoDatabase({ name })
    db.use(quotaBudgetMiddleware(budget))
    const alice = makeActor()
    const echo = openTestEcho({ db })
    const space = await echo.createSpace(alice, 'Full')
    const water = await space.create(alice, 'task', { title: 'water', done: false, order: 'a0' })
    const cat = await space.create(alice, 'task', { title: 'cat', done: false, order: 'a1' })
    if (!water.ok || !cat.ok) throw new Error('tasks not created')
    expect((await echo.flush()).ok).toBe(true)

    budget.remaining = 0
    await space.update(alice, water.value.id, 'task', { done: true })
    expect((await echo.flush()).ok).toBe(false)
    expect(await doneFlags(echo, space.id)).toEqual([false, false])
    budget.remaining = Number.MAX_SAFE_INTEGER
    // The next save writes the document that stayed dirty, and now its index row too.
    await space.delete(alice, cat.value.id)
    expect((await echo.flush()).ok).toBe(true)
    expect(await doneFlags(echo, space.id)).toEqual([true])
    await echo.close()

    const after = openTestEcho({ name })
    expect(await doneFlags(after, space.id)).toEqual([true])
    await after.close()
  })

  it('are written on their own once there is room again, with the document, while the page stays open', async () => {
    const name = uniqueDatabaseName()
    const budget = { remaining: Number.MAX_SAFE_INTEGER }
    const db = openEchoDatabase({ name })
    db.use(quotaBudgetMiddleware(budget))
    const alice = makeActor()
    const echo = openTestEcho({ db, saveRetryMs: 10 })
    const space = await echo.createSpace(alice, 'Full')
    expect((await echo.flush()).ok).toBe(true)

    budget.remaining = 0
    // A change saved in the background (as a note's typing is): nobody calls flush again.
    await space.create(alice, 'task', { title: 'typed while full', done: false, order: 'a0' })
    await waitFor(echo.storageStatus, (status) => status === 'quota-exceeded')
    budget.remaining = Number.MAX_SAFE_INTEGER
    await waitFor(echo.storageStatus, (status) => status === 'ok')
    await waitFor(echo.indexFailure, (failure) => failure === undefined)
    expect(await doneFlags(echo, space.id)).toEqual([false])
    await echo.close()

    const after = openTestEcho({ name })
    expect(await doneFlags(after, space.id)).toEqual([false])
    await after.close()
  })
})
