import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../base/testing/manual-clock'
import { Echo, initEcho } from '../echo'
import { generateKeyPair } from '../halo'
import { OpenSpace } from './space-session'

// The app hands Automerge its wasm by URL; Node has no file fetch, so the same bytes go as a data URL.
beforeAll(async () => {
  const wasm = readFileSync(createRequire(import.meta.url).resolve('@automerge/automerge/automerge.wasm'))
  await initEcho(`data:application/wasm;base64,${wasm.toString('base64')}`)
})

let echo: Echo
let session: OpenSpace

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
  const actor = { identity: key.publicKey, signer: { key } }
  const space = await echo.createSpace(actor, 'Chores')
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
