import { makeActor, openTestEcho } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import { objectDocumentsOf } from '../testing/internals'
import { UndoLog } from './undo-log'

describe('UndoLog', () => {
  it('takes back a write field by field: a field changed meanwhile keeps its new value', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Home')
    const task = await space.create(alice, 'task', { title: 'water', done: false, order: 'a0' })
    if (!task.ok) throw task.error
    const undo = new UndoLog()
    await space.update(alice, task.value.id, 'task', { done: true, due: '2026-12-01' }, undo)
    // Another tab renames the task before the refused save is known.
    await space.update(alice, task.value.id, 'task', { title: 'water the plants' })
    await space.undo(undo)
    const [back] = await space.find({ type: 'task' })
    expect(back?.fields).toEqual({ title: 'water the plants', done: false, order: 'a0' })
    await echo.close()
  })

  it('takes back a create (the object leaves its document), a delete and a rename', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Home')
    const kept = await space.create(alice, 'task', { title: 'kept', done: false, order: 'a0' })
    if (!kept.ok) throw kept.error
    const undo = new UndoLog()
    const created = await space.create(alice, 'task', { title: 'refused', done: false, order: 'a1' }, undo)
    if (!created.ok) throw created.error
    await space.delete(alice, kept.value.id, undo)
    space.rename(alice, 'Renamed', undo)
    await space.undo(undo)
    expect((await space.find({ type: 'task' })).map((task) => task.fields.title)).toEqual(['kept'])
    expect(space.name).toBe('Home')
    expect(objectDocumentsOf(space).some((doc) => created.value.id in doc.doc().objects)).toBe(false)
    // Nothing is left to take back.
    await space.undo(undo)
    expect((await space.find({ type: 'task' })).map((task) => task.fields.title)).toEqual(['kept'])
    await echo.close()
  })
})
