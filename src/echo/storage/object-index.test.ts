import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ObjectId } from '../ids'
import { openEchoDatabase, type EchoDatabase, type ObjectRow } from './echo-database'
import { dumpSpaceIndex, objectKey, writeIndexBatch } from './object-index'
import { liveObjectQuery } from './query-index'
import { until } from '../../base'

const SPACE = 'space-1'
let counter = 0
const opened: EchoDatabase[] = []

const freshDatabase = (): EchoDatabase => {
  const db = openEchoDatabase({ name: `object-index-test-${String(++counter)}` })
  opened.push(db)
  return db
}

/** `count` task rows of one document, numbered from `first`. */
const taskRows = (doc: string, count: number, first = 0): ObjectRow[] =>
  Array.from({ length: count }, (_, i) => {
    const id = (first + i).toString(16).padStart(32, '0') as ObjectId
    const title = `task ${String(first + i)}`
    return {
      key: objectKey(SPACE, id),
      spaceId: SPACE,
      id,
      type: 'task',
      doc,
      deleted: 0,
      createdAt: 1,
      updatedAt: 1,
      title,
      order: 'a0',
      words: ['task'],
      record: { id, type: 'task', version: 2, fields: { title, done: false, order: 'a0' }, createdAt: 1, updatedAt: 1 },
    }
  })

const batchOf = (rows: readonly ObjectRow[], removedKeys: readonly string[] = []) => ({
  rows,
  quarantined: [],
  removedKeys,
  docs: [{ doc: 'doc-1', spaceId: SPACE, heads: String(rows.length) }],
})

describe('writing a batch to the index', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    for (const db of opened.splice(0)) db.close()
  })

  it('writes a batch of many slices whole (each slice its own task)', async () => {
    const db = freshDatabase()
    const rows = taskRows('doc-1', 1_201)
    await writeIndexBatch(db, batchOf(rows))
    expect((await dumpSpaceIndex(db, SPACE)).objects.map((row) => row.key)).toEqual(rows.map((row) => row.key).sort())

    // Removing more keys than a slice holds, beside new rows.
    const removed = rows.slice(0, 700).map((row) => row.key)
    await writeIndexBatch(db, batchOf(taskRows('doc-1', 3, 5_000), removed))
    const kept = (await dumpSpaceIndex(db, SPACE)).objects.map((row) => row.key)
    expect(kept).toHaveLength(1_201 - 700 + 3)
    expect(kept.some((key) => removed.includes(key))).toBe(false)
  })

  it('leaves the index as it was when a slice after the first fails', async () => {
    const db = freshDatabase()
    const before = taskRows('doc-1', 10)
    await writeIndexBatch(db, batchOf(before))
    const put = db.objects.bulkPut.bind(db.objects)
    let slices = 0
    // The third slice is refused inside the transaction, as a full disk refuses a write.
    vi.spyOn(db.objects, 'bulkPut').mockImplementation((...args: Parameters<typeof put>) =>
      ++slices === 3
        ? put([]).then(() => {
            throw new Error('disk full')
          })
        : put(...args),
    )

    const failed = writeIndexBatch(db, batchOf(taskRows('doc-1', 1_400, 100), [before[0]?.key ?? '']))
    await expect(failed).rejects.toThrow('disk full')
    expect(slices).toBe(3)
    expect(await dumpSpaceIndex(db, SPACE)).toEqual({ objects: before, quarantine: [] })
    expect(await db.indexedDocs.get('doc-1')).toEqual({ doc: 'doc-1', spaceId: SPACE, heads: '10' })
  })

  it('writes only the rows that changed, and tells searches only when one did', async () => {
    const db = freshDatabase()
    const rows = taskRows('doc-1', 3)
    await writeIndexBatch(db, batchOf(rows))
    const told = (await db.wordsWritten.get(SPACE))?.at
    const put = vi.spyOn(db.objects, 'bulkPut')

    // The same rows again (a note's text loaded to send it, its row computed as it was): nothing is written.
    await writeIndexBatch(db, batchOf(structuredClone(rows)))
    expect(put).not.toHaveBeenCalled()
    expect((await db.wordsWritten.get(SPACE))?.at).toBe(told)

    const [first, second, third] = rows
    if (first === undefined || second === undefined || third === undefined) throw new Error('three rows')
    const worded = { ...second, words: ['task', 'garden'] }
    await db.wordsWritten.delete(SPACE)
    await writeIndexBatch(db, batchOf([first, worded, third]))
    expect(put.mock.calls.map(([written]) => written)).toEqual([[worded]])
    expect((await dumpSpaceIndex(db, SPACE)).objects).toEqual([first, worded, third])
    expect(await db.wordsWritten.get(SPACE)).toBeDefined()
  })

  it('tells whole lists of a row new to the index at heads already written, not of words alone', async () => {
    const db = freshDatabase()
    const [first, second] = taskRows('doc-1', 2)
    if (first === undefined || second === undefined) throw new Error('two rows')
    const atHeads = (rows: readonly ObjectRow[]) => ({
      ...batchOf(rows),
      docs: [{ doc: 'doc-1', spaceId: SPACE, heads: 'h' }],
    })
    // A document's objects indexed in two batches at the same heads: one object (its note's text arrived first),
    // then the whole document.
    await writeIndexBatch(db, atHeads([first]))
    const list = liveObjectQuery(db, SPACE, { type: 'task', sort: { by: 'order' } })
    const ids = () => {
      const state = list.get()
      return state.status === 'ready' ? state.objects.map((object) => object.id) : undefined
    }
    const shows = (wanted: readonly string[]) =>
      until(list, () => JSON.stringify(ids()) === JSON.stringify(wanted), AbortSignal.timeout(5_000))
    expect(await shows([first.id])).toBe(true)
    const put = vi.spyOn(db.indexedDocs, 'bulkPut')
    await writeIndexBatch(db, atHeads([first, second]))
    expect(await shows([first.id, second.id])).toBe(true)
    expect(put).toHaveBeenCalledTimes(1)
    // Words alone (a note's text) at the same heads: searches are told, whole lists are not read again.
    await writeIndexBatch(db, atHeads([first, { ...second, words: ['task', 'garden'] }]))
    expect(put).toHaveBeenCalledTimes(1)
    list.close()
  })
})
