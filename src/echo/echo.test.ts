import { describe, expect, it } from 'vitest'
import { ManualClock } from '../base/testing/manual-clock'
import { makeActor, openTestEcho, T0, uniqueDatabaseName } from './testing/fixtures'
import type { ObjectId, SpaceId } from './ids'
import { toPlain } from './space/documents'
import { objectDocumentsOf } from './testing/internals'

describe('Echo spaces and objects', () => {
  it('creates a space with its creator as owner, and a personal space once', async () => {
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock })
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Work')
    clock.advance(1)
    expect(space.membership.get().members).toEqual([{ key: alice.identity, role: 'owner' }])
    const personal = await echo.personalSpace(alice)
    expect(personal.personal).toBe(true)
    expect((await echo.personalSpace(alice)).id).toBe(personal.id)
    expect((await echo.listSpaces(alice.identity)).map((row) => [row.name, row.personal])).toEqual([
      ['Work', 0],
      ['Personal', 1],
    ])
    await echo.close()
  })

  it('creates, updates, deletes, restores and queries notes and tasks, and keeps them across a reopen', async () => {
    const name = uniqueDatabaseName()
    const clock = new ManualClock(T0)
    const alice = makeActor()
    const echo = openTestEcho({ name, clock })
    const space = await echo.createSpace(alice, 'Home')
    const note = await space.createNote(alice, 'Shopping list', 'milk and honey')
    expect(note.ok).toBe(true)
    if (!note.ok) return
    clock.advance(10)
    const task = await space.create(alice, 'task', { title: 'Buy milk', done: false, order: 'a0', note: note.value.id })
    if (!task.ok) return
    clock.advance(10)
    expect((await space.update(alice, task.value.id, 'task', { done: true, due: '2026-12-24' })).ok).toBe(true)
    expect((await space.find({ text: 'hon' })).map((object) => object.id)).toEqual([note.value.id])
    expect((await space.find({ type: 'task', where: { done: true } })).map((object) => object.fields.title)).toEqual([
      'Buy milk',
    ])
    expect((await space.resolve(task.value.id))?.fields).toMatchObject({ note: note.value.id })

    expect((await space.delete(alice, note.value.id)).ok).toBe(true)
    expect(await space.find({ text: 'honey' })).toEqual([])
    expect((await space.find({ deleted: 'only' })).map((object) => object.id)).toEqual([note.value.id])
    expect(await space.resolve(note.value.id)).toBeUndefined()
    expect((await space.restore(alice, note.value.id)).ok).toBe(true)
    expect((await echo.close()).ok).toBe(true)

    const again = openTestEcho({ name, clock })
    // The index answers before any document of the space is opened.
    expect((await again.find(space.id, { type: 'task' })).map((object) => object.id)).toEqual([task.value.id])
    const reopened = await again.openSpace(space.id)
    if (!reopened.ok) throw reopened.error
    const all = await reopened.value.find({ sort: { by: 'createdAt' } })
    expect(all.map((object) => [object.type, object.fields.title, object.deleted])).toEqual([
      ['note', 'Shopping list', undefined],
      ['task', 'Buy milk', undefined],
    ])
    expect(all[1]?.fields).toEqual({
      title: 'Buy milk',
      done: true,
      due: '2026-12-24',
      order: 'a0',
      note: note.value.id,
    })
    const text = await reopened.value.noteText(alice, note.value.id)
    expect(text.ok && text.value.handle.doc().text).toBe('milk and honey')
    await again.close()
  })

  it('refuses writes by non-members and invalid fields, with typed errors', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Mine')
    const mallory = makeActor()
    const refused = await space.create(mallory, 'task', { title: 'x', done: false, order: 'a0' })
    expect(!refused.ok && refused.error.code).toBe('not-allowed')
    const invalid = await space.create(alice, 'task', { title: 'x', done: false, order: 'bad0' })
    expect(!invalid.ok && invalid.error.code).toBe('invalid-fields')
    const missing = await space.delete(alice, 'f'.repeat(32) as ObjectId)
    expect(!missing.ok && missing.error.code).toBe('object-not-found')
    space.admit(alice, mallory.identity, 'viewer')
    expect(space.roleOf(mallory.identity)).toBe('viewer')
    expect((await space.create(mallory, 'task', { title: 'x', done: false, order: 'a0' })).ok).toBe(false)
    await echo.close()
  })
})

describe('createMany', () => {
  it('fills object documents to the placement size and writes nothing when one draft is invalid', async () => {
    const echo = openTestEcho({ placement: { kind: 'grouped', objectsPerDocument: 2 } })
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Batch')
    const task = (title: string) => ({ type: 'task' as const, fields: { title, done: false, order: 'a0' } })
    const refused = await space.createMany(alice, [
      task('a'),
      { type: 'task', fields: { title: 'b', done: false, order: '' } },
    ])
    expect(!refused.ok && refused.error.code).toBe('invalid-fields')
    const created = await space.createMany(alice, [
      task('a'),
      task('b'),
      task('c'),
      { type: 'note', title: 'n', text: 't' },
    ])
    expect(created.ok && created.value.map((object) => object.type)).toEqual(['task', 'task', 'task', 'note'])
    expect(objectDocumentsOf(space).map((handle) => Object.keys(handle.doc().objects).length)).toEqual([2, 2])
    expect((await space.find({})).length).toBe(4)
    await echo.close()
  })
})

describe('leaving and archiving', () => {
  it('lets a member leave (archived here) but not the last owner, and reports unknown spaces', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const bob = makeActor()
    const space = await echo.createSpace(alice, 'Club')
    const refused = await echo.leave(alice, space)
    expect(!refused.ok && refused.error.code).toBe('not-allowed')
    space.admit(alice, bob.identity, 'editor')
    expect((await echo.leave(bob, space)).ok).toBe(true)
    expect(space.roleOf(bob.identity)).toBeUndefined()
    expect((await echo.listSpaces(alice.identity)).map((row) => row.archived)).toEqual([1])
    await echo.archive(space.id, false)
    expect((await echo.listSpaces(alice.identity)).map((row) => row.archived)).toEqual([0])
    const missing = await echo.openSpace(bob.identity as string as SpaceId)
    expect(!missing.ok && missing.error.code).toBe('space-not-found')
    await echo.close()
  })
})

describe('objects that arrive from elsewhere', () => {
  it('quarantines invalid ones (kept in the document, reported, never returned) and migrates old versions', async () => {
    const echo = openTestEcho()
    const alice = makeActor()
    const space = await echo.createSpace(alice, 'Incoming')
    await space.create(alice, 'task', { title: 'local', done: false, order: 'a0' })
    const [handle] = objectDocumentsOf(space)
    if (handle === undefined) throw new Error('no object document')
    const bad = 'b'.repeat(32) as ObjectId
    const old = 'c'.repeat(32) as ObjectId
    // What a peer running an older release, or a broken one, could write.
    handle.change((doc) => {
      doc.objects[bad] = { id: bad, type: 'task', version: 2, fields: { title: 7 }, createdAt: T0, updatedAt: T0 }
      doc.objects[old] = {
        id: old,
        type: 'task',
        version: 1,
        fields: { title: 'v1', done: false },
        createdAt: T0,
        updatedAt: T0,
      }
    })
    await echo.settled()
    expect(await space.find({ type: 'task' })).toHaveLength(2)
    expect(await space.get(bad)).toBeUndefined()
    expect((await space.quarantined()).map((row) => [row.id, row.reason.split(':')[0]])).toEqual([
      [bad, 'invalid-fields'],
    ])
    expect(handle.doc().objects[bad]).toBeDefined()

    const migrated = await space.get(old)
    expect(migrated?.version).toBe(2)
    expect((await space.update(alice, old, 'task', { done: true })).ok).toBe(true)
    expect(toPlain(handle.doc().objects[old])).toMatchObject({ version: 2, fields: { title: 'v1', done: true } })
    await echo.close()
  })
})

describe('reopening a space', () => {
  it('answers from the index at once and takes writes before its documents finished loading', async () => {
    const name = uniqueDatabaseName()
    const alice = makeActor()
    const first = openTestEcho({ name })
    const space = await first.createSpace(alice, 'Again')
    const task = await space.create(alice, 'task', { title: 'before', done: false, order: 'a0' })
    if (!task.ok) throw task.error
    await first.close()

    const second = openTestEcho({ name })
    const opened = await second.openSpace(space.id)
    if (!opened.ok) throw opened.error
    expect((await opened.value.update(alice, task.value.id, 'task', { title: 'after' })).ok).toBe(true)
    await opened.value.loaded()
    expect((await opened.value.find({})).map((object) => object.fields.title)).toEqual(['after'])
    await second.close()
  })
})
