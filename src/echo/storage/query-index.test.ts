import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Echo } from '../echo'
import { orderBetween } from '../schema/fractional-index'
import type { Space } from '../space/space'
import type { Draft } from '../space/space-objects'
import { makeActor, openTestEcho } from '../testing/fixtures'

const alice = makeActor()
const COUNT = 60

/** `COUNT` tasks in order and `COUNT` notes, each note titled with two words that share the prefix "garden". */
const spaceOfMany = async (echo: Echo): Promise<Space> => {
  const space = await echo.createSpace(alice, 'Many')
  const drafts: Draft[] = []
  let order = orderBetween()
  for (let i = 0; i < COUNT; i++) {
    order = orderBetween(order)
    drafts.push({ type: 'task', fields: { title: `Task ${String(i)}`, done: false, order } })
    drafts.push({ type: 'note', title: `Note ${String(i)} garden gardener` })
  }
  const created = await space.createMany(alice, drafts)
  if (!created.ok) throw created.error
  await echo.settled()
  return space
}

describe('queries over the index', () => {
  let echo: Echo | undefined
  afterEach(async () => {
    vi.restoreAllMocks()
    await echo?.close()
    echo = undefined
  })

  it('reads a whole list in one request, not one cursor step per row (a big live list re-read on each write)', async () => {
    echo = openTestEcho()
    const space = await spaceOfMany(echo)
    const steps = vi.spyOn(IDBCursor.prototype, 'continue')

    const tasks = await space.find({ type: 'task', sort: { by: 'order' } })
    const notes = await space.find({ type: 'note', sort: { by: 'updatedAt', direction: 'desc' } })
    const found = await space.find({ type: 'note', text: 'garden', sort: { by: 'title' } })

    expect(tasks).toHaveLength(COUNT)
    expect(notes).toHaveLength(COUNT)
    expect(found).toHaveLength(COUNT)
    // Before: a Dexie `filter` (and `distinct`) walked a cursor, about one step per row: 60 + 60 + 120 here.
    expect(steps.mock.calls.length).toBeLessThan(COUNT)
  })

  it('keeps the order, direction, limit and one row per object of a search', async () => {
    echo = openTestEcho()
    const space = await spaceOfMany(echo)
    const titles = async (query: Parameters<Space['find']>[0]) =>
      (await space.find(query)).map((object) => object.fields.title)

    const byOrder = await titles({ type: 'task', sort: { by: 'order' } })
    expect(byOrder).toEqual(Array.from({ length: COUNT }, (_, i) => `Task ${String(i)}`))
    expect(await titles({ type: 'task', sort: { by: 'order', direction: 'desc' } })).toEqual([...byOrder].reverse())
    expect(await titles({ type: 'task', sort: { by: 'order' }, limit: 3 })).toEqual(byOrder.slice(0, 3))
    const ascending = await titles({ type: 'note', sort: { by: 'updatedAt', direction: 'asc' } })
    expect(await titles({ type: 'note', sort: { by: 'updatedAt', direction: 'desc' } })).toEqual(
      [...ascending].reverse(),
    )
    // Both title words start with "garden": the multi-entry index holds each note twice, the result once.
    const found = await titles({ type: 'note', text: 'garden', sort: { by: 'title' } })
    expect(new Set(found).size).toBe(COUNT)
    expect(found).toEqual([...found].sort())
    expect(await titles({ type: 'note', text: 'gardener', sort: { by: 'title' }, limit: 2 })).toEqual(found.slice(0, 2))
    expect(await titles({ type: 'task', text: 'garden' })).toEqual([])
  })
})
