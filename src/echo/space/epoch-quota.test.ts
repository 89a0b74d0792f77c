// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, uniqueDatabaseName } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import { openEchoDatabase } from '../storage/echo-database'
import { chunkWriteHook } from '../storage/quota-budget'
import { storedDocuments } from '../storage/stored-documents'
import { dbOf, objectDocumentsOf } from '../testing/internals'

/** The real storage, except that once `allowed` chunk writes are used up the disk is full. */
const diskFillsAfter = (gate: { allowed: number; used: number }) =>
  chunkWriteHook(() => {
    if (gate.used >= gate.allowed) return new DOMException('disk full (test)', 'QuotaExceededError')
    gate.used += 1
    return undefined
  })

/** A space with history in its object document, on a disk that fills after `allowed` more chunk writes. */
const spaceOnFillingDisk = async () => {
  const name = uniqueDatabaseName()
  const gate = { allowed: Number.POSITIVE_INFINITY, used: 0 }
  const db = openEchoDatabase({ name })
  db.use(diskFillsAfter(gate))
  const alice = makeActor()
  // Two objects per document: a compaction writes several fresh documents, and the disk can fill between them.
  const echo = openTestEcho({ db, placement: { kind: 'grouped', objectsPerDocument: 2 } })
  const space = await echo.createSpace(alice, 'Compacted')
  const note = await space.createNote(alice, 'Diary', 'day one')
  if (!note.ok) throw note.error
  for (let i = 0; i < 5; i++) {
    const task = await space.create(alice, 'task', { title: `task ${i}`, done: false, order: `a${i + 1}` })
    if (task.ok) await space.update(alice, task.value.id, 'task', { done: true, title: `done ${i}` })
  }
  expect((await echo.flush()).ok).toBe(true)
  const before = await space.find({ deleted: 'include', sort: { by: 'createdAt' } })
  const oldDocs = objectDocumentsOf(space).map((handle) => handle.documentId)
  return { name, gate, alice, echo, space, note: note.value, before, oldDocs }
}

/** Opens the database as a later start would, once every object document loaded. */
const reopen = async (name: string, id: Parameters<ReturnType<typeof openTestEcho>['openSpace']>[0]) => {
  const echo = openTestEcho({ name })
  const opened = await echo.openSpace(id)
  if (!opened.ok) throw opened.error
  await opened.value.loaded()
  return { echo, space: opened.value }
}

describe('compaction on a full disk', () => {
  it('loses no object, wherever the disk fills, even if the tab is killed right after', async () => {
    // How many chunk writes a compaction makes when nothing fails: the disk fills before each of them in turn.
    const probe = await spaceOnFillingDisk()
    const start = probe.gate.used
    expect((await probe.space.createEpoch(probe.alice)).ok).toBe(true)
    const writes = probe.gate.used - start
    expect(writes).toBeGreaterThan(3)
    await probe.echo.close()

    for (let allowed = 0; allowed <= writes; allowed++) {
      const { name, gate, alice, echo, space, note, before } = await spaceOnFillingDisk()
      gate.allowed = gate.used + allowed
      const result = await space.createEpoch(alice)
      expect(result.ok ? 'ok' : result.error.code, `after ${allowed} writes`).toBe(
        allowed === writes ? 'ok' : 'storage-quota-exceeded',
      )
      // Killed: nothing more reaches the disk (deletions still would: they need no room).
      gate.allowed = gate.used

      const later = await reopen(name, space.id)
      await later.echo.rebuildIndex(later.space)
      expect(
        await later.space.find({ deleted: 'include', sort: { by: 'createdAt' } }),
        `after ${allowed} writes`,
      ).toEqual(before)
      expect((await later.space.noteMarkdown(note.id)).ok).toBe(true)
      await later.echo.close()
      await echo.close()
    }
    // One space built and reopened per failure point: seconds, not the default 5.
  }, 60_000)

  it('keeps the replaced documents until a later start has the new ones, then deletes them', async () => {
    const { name, alice, echo, space, before, oldDocs } = await spaceOnFillingDisk()
    expect((await space.createEpoch(alice)).ok).toBe(true)
    expect((await echo.flush()).ok).toBe(true)
    // Not in the session that replaced them.
    expect(await space.collectRetired()).toEqual({ ok: true, value: 0 })
    expect([...(await storedDocuments(dbOf(echo), oldDocs))]).toEqual(oldDocs)
    await echo.close()

    const later = await reopen(name, space.id)
    expect(await later.space.collectRetired()).toEqual({ ok: true, value: oldDocs.length })
    expect([...(await storedDocuments(dbOf(later.echo), oldDocs))]).toEqual([])
    await later.echo.rebuildIndex(later.space)
    expect(await later.space.find({ deleted: 'include', sort: { by: 'createdAt' } })).toEqual(before)
    await later.echo.close()
  })
})
