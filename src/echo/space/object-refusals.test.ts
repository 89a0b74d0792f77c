// An unknown object type or invalid fields get a typed refusal and nothing is written.
// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import type { ObjectType } from '../schema/object-types'
import { objectDocumentsOf } from '../testing/internals'

describe('object types the space does not know', () => {
  it('refuses creating an object of an unknown type with InvalidFields, writing nothing', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Types')
    const created = await space.create(alice, 'widget' as ObjectType, { title: 'W', done: false, order: 'a0' })
    expect(created.ok ? 'created' : created.error.code).toBe('invalid-fields')
    const many = await space.createMany(alice, [
      { type: 'widget' as 'task', fields: { title: 'W', done: false, order: 'a0' } },
    ])
    expect(many.ok ? 'created' : many.error.code).toBe('invalid-fields')
    expect(await space.find({ deleted: 'include' })).toEqual([])
    expect(objectDocumentsOf(space)).toEqual([])
    await echo.close()
  })

  it('refuses invalid fields of a known type with InvalidFields', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Types')
    const created = await space.create(alice, 'task', { title: 'T', done: false, order: 'not an order key!' })
    expect(created.ok ? 'created' : created.error.code).toBe('invalid-fields')
    expect(await space.find({ deleted: 'include' })).toEqual([])
    await echo.close()
  })

  it('refuses a query of an unknown type, or by a field its type has no value for, with InvalidQuery', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Types')
    await expect(space.find({ type: 'widget' as ObjectType })).rejects.toMatchObject({ code: 'invalid-query' })
    await expect(space.find({ type: 'note', sort: { by: 'order' } })).rejects.toMatchObject({ code: 'invalid-query' })
    expect(await space.find({ type: 'task', sort: { by: 'order' } })).toEqual([])
    await echo.close()
  })
})
