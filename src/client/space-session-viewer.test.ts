import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../base/testing/manual-clock'
import { Echo, initEcho, type Actor, type Space } from '../echo'
import { generateKeyPair } from '../halo'
import { OpenSpace } from './space-session'

// The app hands Automerge its wasm by URL; Node has no file fetch, so the same bytes go as a data URL.
beforeAll(async () => {
  const wasm = readFileSync(createRequire(import.meta.url).resolve('@automerge/automerge/automerge.wasm'))
  await initEcho(`data:application/wasm;base64,${wasm.toString('base64')}`)
})

const actor = (): Actor => {
  const key = generateKeyPair()
  return { identity: key.publicKey, signer: { key } }
}

let echo: Echo
let space: Space
let owner: OpenSpace
let viewer: OpenSpace
let noteId: string
let taskIds: string[]

const sessionOf = (who: Actor) =>
  new OpenSpace(space, who, {
    exportSpace: () => Promise.reject(new Error('not used here')),
    flush: () => echo.flush(),
  })

const code = (result: { ok: boolean; error?: { code: string } }): string =>
  result.ok ? 'written' : (result.error?.code ?? 'no code')

beforeEach(async () => {
  echo = new Echo({ clock: new ManualClock(1_800_000_000_000), database: { name: crypto.randomUUID() } })
  const ownerActor = actor()
  const viewerActor = actor()
  space = await echo.createSpace(ownerActor, 'Garden plans')
  owner = sessionOf(ownerActor)
  const note = await owner.createNote('Plan')
  if (!note.ok) throw new Error(note.error.message)
  noteId = note.value
  taskIds = []
  for (const title of ['Dig', 'Sow']) {
    const task = await owner.createTask(title)
    if (!task.ok) throw new Error(task.error.message)
    taskIds.push(task.value)
  }
  const admitted = space.admit(ownerActor, viewerActor.identity, 'viewer')
  if (!admitted.ok) throw admitted.error
  viewer = sessionOf(viewerActor)
})

afterEach(async () => {
  owner.close()
  viewer.close()
  await echo.close()
})

/** What a person sees of the space: its name, notes and tasks in order. */
const snapshot = async (): Promise<unknown> => ({
  name: space.name,
  objects: await Promise.all([noteId, ...taskIds].map((id) => space.get(id as never))),
})

describe('a viewer’s session', { timeout: 30_000 }, () => {
  it('offers no write (canWrite, canCompact false) and every write control’s call is refused, nothing changed', async () => {
    expect(viewer.canWrite.get()).toBe(false)
    expect(viewer.canCompact.get()).toBe(false)
    const before = await snapshot()
    const [first, second] = taskIds as [string, string]
    const attempts = {
      rename: await viewer.rename('Mine now'),
      createNote: await viewer.createNote('Mine'),
      renameNote: await viewer.renameNote(noteId, 'Mine'),
      createTask: await viewer.createTask('Mine'),
      tick: await viewer.updateTask(first, { done: true }),
      editTask: await viewer.updateTask(first, { title: 'Mine' }),
      moveTask: await viewer.moveTask(second, 'up'),
      moveTaskBefore: await viewer.moveTaskBefore(second, first),
      remove: await viewer.remove(first),
      compact: await viewer.compactHistory(),
    }
    const codes = Object.fromEntries(Object.entries(attempts).map(([name, result]) => [name, code(result)]))
    expect(codes).toEqual(Object.fromEntries(Object.keys(attempts).map((name) => [name, 'not-allowed'])))
    expect(await snapshot()).toEqual(before)
    // Restoring what the owner deleted is a write too.
    expect(code(await owner.remove(second))).toBe('written')
    const afterRemove = await snapshot()
    expect(code(await viewer.restore(second))).toBe('not-allowed')
    expect(await snapshot()).toEqual(afterRemove)
    expect(afterRemove).not.toEqual(before)
    const editor = await viewer.noteEditor(noteId)
    if (!editor.ok) throw new Error(editor.error.message)
    expect(editor.value.readOnly).toBe(true)
  })
})
