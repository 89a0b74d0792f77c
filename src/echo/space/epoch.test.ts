import { makeActor, openTestEcho, uniqueDatabaseName } from '../testing/fixtures'
import { getAllChanges } from '@automerge/automerge/slim'
import { describe, expect, it } from 'vitest'
import { objectDocumentsOf, rootOf } from '../testing/internals'

describe('epochs', () => {
  it('compact object documents to one change each, are recorded in the log, and keep every object', async () => {
    const name = uniqueDatabaseName()
    const alice = makeActor()
    const echo = openTestEcho({ name })
    const space = await echo.createSpace(alice, 'Compacted')
    const note = await space.createNote(alice, 'Diary', 'day one')
    if (!note.ok) throw note.error
    for (let i = 0; i < 5; i++) {
      const task = await space.create(alice, 'task', { title: `task ${i}`, done: false, order: `a${i + 1}` })
      if (task.ok) await space.update(alice, task.value.id, 'task', { done: true, title: `done ${i}` })
    }
    const [oldDoc] = objectDocumentsOf(space)
    if (oldDoc === undefined) throw new Error('no object document')
    expect(getAllChanges(oldDoc.doc()).length).toBeGreaterThan(5)
    const before = await space.find({ deleted: 'include', sort: { by: 'createdAt' } })

    const epoch = await space.createEpoch(alice)
    expect(epoch.ok && epoch.value.number).toBe(1)
    const [fresh] = objectDocumentsOf(space)
    if (fresh === undefined) throw new Error('no object document after the epoch')
    expect(fresh.documentId).not.toBe(oldDoc.documentId)
    expect(getAllChanges(fresh.doc()).length).toBe(1)
    expect(Object.values(rootOf(space).doc().epochs).map((manifest) => manifest.number)).toEqual([1])
    expect(await space.find({ deleted: 'include', sort: { by: 'createdAt' } })).toEqual(before)
    expect((await echo.close()).ok).toBe(true)

    const again = openTestEcho({ name })
    const reopened = await again.openSpace(space.id)
    if (!reopened.ok) throw reopened.error
    expect(reopened.value.membership.get().epoch?.number).toBe(1)
    expect(await reopened.value.find({ deleted: 'include', sort: { by: 'createdAt' } })).toEqual(before)
    await again.rebuildIndex(reopened.value)
    expect(await reopened.value.find({ deleted: 'include', sort: { by: 'createdAt' } })).toEqual(before)
    expect((await reopened.value.noteMarkdown(note.value.id)).ok).toBe(true)
    await again.close()
  })

  it('is refused to editors', async () => {
    const alice = makeActor()
    const bob = makeActor()
    const echo = openTestEcho()
    const space = await echo.createSpace(alice, 'Team')
    space.admit(alice, bob.identity, 'editor')
    const refused = await space.createEpoch(bob)
    expect(!refused.ok && refused.error.code).toBe('not-allowed')
    await echo.close()
  })
})
