import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import fc from 'fast-check'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { err, ok } from '../base'
import { ManualClock } from '../base/testing/manual-clock'
import { Echo, initEcho, StorageQuotaExceeded, type Actor, type Space } from '../echo'
import { generateKeyPair } from '../halo'
import { OpenSpace } from './space-session'

// The app hands Automerge its wasm by URL; Node has no file fetch, so the same bytes go as a data URL.
beforeAll(async () => {
  const wasm = readFileSync(createRequire(import.meta.url).resolve('@automerge/automerge/automerge.wasm'))
  await initEcho(`data:application/wasm;base64,${wasm.toString('base64')}`)
})

let echo: Echo
let session: OpenSpace
let space: Space
let actor: Actor

/** A space with tasks made in this order; returns their ids by title. */
const withTasks = async (...titles: string[]): Promise<Record<string, string>> => {
  const ids: Record<string, string> = {}
  for (const title of titles) {
    const created = await session.createTask(title)
    if (!created.ok) throw new Error(created.error.message)
    ids[title] = created.value
  }
  return ids
}

/** The titles of the tasks `search` shows, in their manual order, once the list has them. */
const titles = async (search = ''): Promise<string[]> => {
  const list = session.tasks(search)
  try {
    const shown = await new Promise<readonly { title: string }[]>((resolve) => {
      const now = list.get()
      if (now !== undefined) resolve(now)
      list.subscribe((next) => {
        if (next !== undefined) resolve(next)
      })
    })
    return shown.map((task) => task.title)
  } finally {
    list.close()
  }
}

beforeEach(async () => {
  echo = new Echo({ clock: new ManualClock(1_800_000_000_000), database: { name: crypto.randomUUID() } })
  const key = generateKeyPair()
  actor = { identity: key.publicKey, signer: { key } }
  space = await echo.createSpace(actor, 'Chores')
  session = new OpenSpace(space, actor, {
    exportSpace: () => Promise.reject(new Error('not used here')),
    flush: () => echo.flush(),
  })
})

afterEach(async () => {
  session.close()
  await echo.close()
})

describe('moving a task', () => {
  it('moves up and down one place at a time and says where it landed', async () => {
    const ids = await withTasks('Laundry', 'Dishes', 'Groceries', 'Post')
    expect(await session.moveTask(ids.Post ?? '', 'up')).toEqual({
      ok: true,
      value: { moved: true, position: 3, count: 4 },
    })
    expect(await session.moveTask(ids.Post ?? '', 'up')).toEqual({
      ok: true,
      value: { moved: true, position: 2, count: 4 },
    })
    expect(await titles()).toEqual(['Laundry', 'Post', 'Dishes', 'Groceries'])
    expect(await session.moveTask(ids.Laundry ?? '', 'down')).toEqual({
      ok: true,
      value: { moved: true, position: 2, count: 4 },
    })
    expect(await titles()).toEqual(['Post', 'Laundry', 'Dishes', 'Groceries'])
  })

  it('does nothing at either end, and says it stayed', async () => {
    const ids = await withTasks('Laundry', 'Dishes', 'Groceries')
    expect(await session.moveTask(ids.Laundry ?? '', 'up')).toEqual({
      ok: true,
      value: { moved: false, position: 1, count: 3 },
    })
    expect(await session.moveTask(ids.Groceries ?? '', 'down')).toEqual({
      ok: true,
      value: { moved: false, position: 3, count: 3 },
    })
    expect(await titles()).toEqual(['Laundry', 'Dishes', 'Groceries'])
  })

  it('with a search, moves past the task shown next to it; hidden tasks keep their places', async () => {
    const ids = await withTasks('Paint', 'Laundry', 'Dishes', 'Post', 'Groceries')
    expect(await session.moveTask(ids.Post ?? '', 'up', { search: 'p' })).toEqual({
      ok: true,
      value: { moved: true, position: 1, count: 2 },
    })
    expect(await titles()).toEqual(['Post', 'Paint', 'Laundry', 'Dishes', 'Groceries'])
    expect(await session.moveTask(ids.Post ?? '', 'down', { search: 'p' })).toEqual({
      ok: true,
      value: { moved: true, position: 2, count: 2 },
    })
    expect(await titles()).toEqual(['Paint', 'Post', 'Laundry', 'Dishes', 'Groceries'])
    expect(await session.moveTask(ids.Post ?? '', 'down', { search: 'p' })).toEqual({
      ok: true,
      value: { moved: false, position: 2, count: 2 },
    })
  })

  it('moves a task before a target, or to the end', async () => {
    const ids = await withTasks('Laundry', 'Dishes', 'Groceries')
    expect(await session.moveTaskBefore(ids.Groceries ?? '', ids.Laundry)).toEqual({
      ok: true,
      value: { moved: true, position: 1, count: 3 },
    })
    expect(await titles()).toEqual(['Groceries', 'Laundry', 'Dishes'])
    expect(await session.moveTaskBefore(ids.Groceries ?? '', undefined)).toEqual({
      ok: true,
      value: { moved: true, position: 3, count: 3 },
    })
    expect(await titles()).toEqual(['Laundry', 'Dishes', 'Groceries'])
  })

  it('does nothing for a task dropped on itself or on the task after it', async () => {
    const ids = await withTasks('Laundry', 'Dishes', 'Groceries')
    expect(await session.moveTaskBefore(ids.Dishes ?? '', ids.Dishes)).toEqual({
      ok: true,
      value: { moved: false, position: 2, count: 3 },
    })
    expect(await session.moveTaskBefore(ids.Dishes ?? '', ids.Groceries)).toEqual({
      ok: true,
      value: { moved: false, position: 2, count: 3 },
    })
    expect(await titles()).toEqual(['Laundry', 'Dishes', 'Groceries'])
  })

  it('refuses an unknown task or target with a problem, and changes nothing', async () => {
    const ids = await withTasks('Laundry', 'Dishes')
    const unknown = 'ab'.repeat(16)
    for (const moved of [
      await session.moveTask(unknown, 'up'),
      await session.moveTask('not an id', 'down'),
      await session.moveTaskBefore(unknown, ids.Laundry),
      await session.moveTaskBefore(ids.Dishes ?? '', unknown),
    ]) {
      expect(moved).toEqual({ ok: false, error: { code: 'object-not-found', message: expect.any(String) as string } })
    }
    expect(await titles()).toEqual(['Laundry', 'Dishes'])
  })

  it('refuses a deleted task, and a task hidden by the search', async () => {
    const ids = await withTasks('Laundry', 'Dishes', 'Post')
    await session.remove(ids.Dishes ?? '')
    expect((await session.moveTask(ids.Dishes ?? '', 'up')).ok).toBe(false)
    expect((await session.moveTask(ids.Laundry ?? '', 'down', { search: 'post' })).ok).toBe(false)
    expect(await titles()).toEqual(['Laundry', 'Post'])
  })
})

/** Tasks stored with the given order keys, as a peer or a file may give them (ties included); ids in the order given. */
const withKeys = async (on: Space, keys: readonly string[]): Promise<string[]> => {
  const ids: string[] = []
  for (const [index, order] of keys.entries()) {
    const created = await on.create(actor, 'task', { title: `Task ${index}`, done: false, order })
    if (!created.ok) throw new Error(created.error.message)
    ids.push(created.value.id)
  }
  return ids
}

/** The ids of a space's tasks as echo lists them (by order key, then id), checked against that rule. */
const shownIds = async (on: Space): Promise<string[]> => {
  const tasks = (await on.find({ type: 'task', sort: { by: 'order' } })).flatMap((object) =>
    object.type === 'task' ? [{ id: object.id, order: object.fields.order }] : [],
  )
  const byKeyThenId = [...tasks].sort((a, b) =>
    a.order < b.order ? -1 : a.order > b.order ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  )
  expect(tasks.map((task) => task.id)).toEqual(byKeyThenId.map((task) => task.id))
  return tasks.map((task) => task.id)
}

describe('moving among tasks that share an order key', () => {
  it('moves the last of three tied tasks to the top, one real place per step', async () => {
    await withKeys(space, ['a0', 'a0', 'a0'])
    const before = await shownIds(space)
    const last = before[2] ?? ''
    expect(await session.moveTask(last, 'up')).toEqual(ok({ moved: true, position: 2, count: 3 }))
    expect(await shownIds(space)).toEqual([before[0], last, before[1]])
    expect(await session.moveTask(last, 'up')).toEqual(ok({ moved: true, position: 1, count: 3 }))
    expect(await shownIds(space)).toEqual([last, before[0], before[1]])
    expect(await session.moveTask(last, 'up')).toEqual(ok({ moved: false, position: 1, count: 3 }))
  })

  it('moves a task to the top above the key just over the smallest integer', async () => {
    const [low, other] = await withKeys(space, [`A${'0'.repeat(25)}1`, 'a0'])
    expect(await session.moveTaskBefore(other ?? '', low)).toEqual(ok({ moved: true, position: 1, count: 2 }))
    expect(await shownIds(space)).toEqual([other, low])
  })

  it('moves between two keys with no key of allowed length between them by re-keying around them', async () => {
    const low = `a0${'V'.repeat(253)}`
    const [lowTask, highTask, moved] = await withKeys(space, [low, `${low}1`, 'a1'])
    expect(await session.moveTaskBefore(moved ?? '', highTask)).toEqual(ok({ moved: true, position: 2, count: 3 }))
    expect(await shownIds(space)).toEqual([lowTask, moved, highTask])
  })

  it('fails a move whose keys could not be saved, and takes every key it wrote back', async () => {
    await withKeys(space, ['a0', 'a0', 'a0'])
    const before = await shownIds(space)
    const last = before[2] ?? ''
    const full = new OpenSpace(space, actor, {
      exportSpace: () => Promise.reject(new Error('not used here')),
      flush: () => Promise.resolve(err(new StorageQuotaExceeded())),
    })
    const moved = await full.moveTask(last, 'up')
    full.close()
    expect(moved).toMatchObject({ ok: false, error: { code: 'storage-quota-exceeded' } })
    // Every key the move wrote is taken back, so the list is as the words say.
    expect(await shownIds(space)).toEqual(before)
    const keys = await space.find({ type: 'task', sort: { by: 'order' } })
    expect(keys.map((task) => (task.type === 'task' ? task.fields.order : ''))).toEqual(['a0', 'a0', 'a0'])
  })

  type Move =
    | { readonly kind: 'up' | 'down'; readonly task: number }
    | { readonly kind: 'before'; readonly task: number; readonly target: number | undefined }

  /** Where the person expects the tasks after a move, in the list as it was shown. */
  const expected = (order: readonly string[], move: Move, n: number): string[] => {
    const id = order[move.task % n] ?? ''
    const index = order.indexOf(id)
    const next = [...order]
    if (move.kind !== 'before') {
      const other = move.kind === 'up' ? index - 1 : index + 1
      if (other < 0 || other >= n) return next
      ;[next[index], next[other]] = [next[other] ?? '', id]
      return next
    }
    const target = move.target === undefined ? undefined : order[move.target % n]
    if (target === id) return next
    next.splice(index, 1)
    next.splice(target === undefined ? next.length : next.indexOf(target), 0, id)
    return next
  }

  const moves = fc.array(
    fc.oneof(
      fc.record({ kind: fc.constantFrom('up' as const, 'down' as const), task: fc.nat() }),
      fc.record({
        kind: fc.constant('before' as const),
        task: fc.nat(),
        target: fc.option(fc.nat(), { nil: undefined }),
      }),
    ),
    { maxLength: 8 },
  )

  // Small, so ties are common; the two long keys have no key of allowed length between them.
  const LONG = `a0${'V'.repeat(253)}`
  const keyFrom = fc.constantFrom('a0', 'a0V', 'a1', 'Zz', LONG, `${LONG}1`)

  it('lands every move where it says, whatever keys the tasks share (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(keyFrom, { minLength: 1, maxLength: 6 }), moves, async (keys, steps) => {
        const on = await echo.createSpace(actor, 'Ties')
        const tied = new OpenSpace(on, actor, {
          exportSpace: () => Promise.reject(new Error('not used here')),
          flush: () => echo.flush(),
        })
        try {
          await withKeys(on, keys)
          let order = await shownIds(on)
          for (const step of steps) {
            const id = order[step.task % keys.length] ?? ''
            const target =
              step.kind === 'before' && step.target !== undefined ? order[step.target % keys.length] : undefined
            const want = expected(order, step, keys.length)
            const place =
              step.kind === 'before' ? await tied.moveTaskBefore(id, target) : await tied.moveTask(id, step.kind)
            const moved = want.join() !== order.join()
            order = await shownIds(on)
            expect(order).toEqual(want)
            expect(place).toEqual(ok({ moved, position: order.indexOf(id) + 1, count: keys.length }))
          }
        } finally {
          tied.close()
        }
      }),
      { seed: 1126, numRuns: 100 },
    )
  }, 60_000)
})
