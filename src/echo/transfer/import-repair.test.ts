// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { exported, makeActor, openTestEcho, uniqueDatabaseName } from '../testing/fixtures'
import { describe, expect, it, vi } from 'vitest'
import { err } from '../../base'
import { DocumentCorrupt } from '../errors'
import type { EchoDatabase } from '../storage/echo-database'
import { dbOf, documentsOf, objectDocumentsOf, rootOf } from '../testing/internals'

const chunksOf = (db: EchoDatabase, id: string) => db.chunks.filter((chunk) => chunk.key[0] === id).toArray()

// Each test builds, exports and reopens spaces: seconds on a loaded 2-core machine.
describe('importing over a space here', { timeout: 30_000 }, () => {
  it("a space's own earlier export restores an object document lost from storage", async () => {
    const name = uniqueDatabaseName()
    const alice = makeActor()
    const echo = openTestEcho({ name })
    const work = await echo.createSpace(alice, 'Work')
    await work.create(alice, 'task', { title: 'Pay rent', done: false, order: 'a0' })
    const backup = await exported(echo, work)
    const lost = objectDocumentsOf(work)[0]?.documentId
    if (lost === undefined) throw new Error('no object document')
    expect((await echo.flush()).ok).toBe(true)
    expect((await documentsOf(echo).removeStored(lost)).ok).toBe(true)
    await echo.close()

    const again = openTestEcho({ name })
    const opened = await again.openSpace(work.id)
    if (!opened.ok) throw opened.error
    await expect(opened.value.loaded()).rejects.toThrow(/unavailable/)
    const imported = await again.importSpace(alice, backup)
    if (!imported.ok) throw imported.error
    await again.rebuildIndex(imported.value)
    expect((await imported.value.find({ type: 'task' })).map((task) => task.fields.title)).toEqual(['Pay rent'])
    await again.close()
    const later = openTestEcho({ name })
    expect((await chunksOf(dbOf(later), lost)).length).toBeGreaterThan(0)
    await later.close()
  })

  it('an import that fails part way leaves the root as it was', async () => {
    const name = uniqueDatabaseName()
    const alice = makeActor()
    const echo = openTestEcho({ name })
    const work = await echo.createSpace(alice, 'Work')
    await work.create(alice, 'task', { title: 'Pay rent', done: false, order: 'a0' })
    const laptop = openTestEcho()
    const copy = await laptop.importSpace(alice, await exported(echo, work))
    if (!copy.ok) throw copy.error
    // A note adds a text document the root lists: the newer file holds a document new here.
    await copy.value.createNote(alice, 'Laptop note', 'typed there')
    const newer = await exported(laptop, copy.value)
    await laptop.close()
    expect((await echo.flush()).ok).toBe(true)
    const heads = [...rootOf(work).heads()]
    const rootChunks = await chunksOf(dbOf(echo), rootOf(work).documentId)
    const importDocument = documentsOf(echo).importDocument.bind(documentsOf(echo))
    // The first document not already here fails to import (a full disk, a damaged copy).
    vi.spyOn(documentsOf(echo), 'importDocument').mockImplementation((bytes, id) =>
      id !== undefined && id !== rootOf(work).documentId && !documentsOf(echo).isLoaded(id)
        ? err(new DocumentCorrupt('refused for the test'))
        : importDocument(bytes, id),
    )
    const result = await echo.importSpace(alice, newer)
    expect(result.ok ? 'imported' : result.error.code).toBe('document-corrupt')
    expect([...rootOf(work).heads()]).toEqual(heads)
    expect((await echo.flush()).ok).toBe(true)
    expect(await chunksOf(dbOf(echo), rootOf(work).documentId)).toEqual(rootChunks)
    await echo.close()
  })
})
