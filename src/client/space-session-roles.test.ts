import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Observable } from '../base'
import { ManualClock } from '../base/testing/manual-clock'
import { Echo, initEcho, type Actor, type Space } from '../echo'
import { generateKeyPair } from '../halo'
import { OpenSpace } from './space-session'
import type { Problem } from './problem-words'

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
let owner: Actor
let member: Actor
/** The owner's session and the other member's, on the same space. */
let mine: OpenSpace
let theirs: OpenSpace
let noteId: string

const sessionOf = (who: Actor) =>
  new OpenSpace(space, who, {
    exportSpace: () => Promise.reject(new Error('not used here')),
    flush: () => echo.flush(),
  })

/** Sets the member's role as the owner; the entry must take effect. */
const makeRole = (role: 'viewer' | 'editor' | 'admin') => {
  const admitted = space.admit(owner, member.identity, role)
  if (!admitted.ok) throw admitted.error
}

/** Every value `observable` takes from now on. */
const heard = <T>(observable: Observable<T>): T[] => {
  const values: T[] = []
  observable.subscribe((value) => values.push(value))
  return values
}

beforeEach(async () => {
  echo = new Echo({ clock: new ManualClock(1_800_000_000_000), database: { name: crypto.randomUUID() } })
  owner = actor()
  member = actor()
  space = await echo.createSpace(owner, 'Team')
  mine = sessionOf(owner)
  const note = await mine.createNote('Plan')
  if (!note.ok) throw new Error(note.error.message)
  noteId = note.value
  makeRole('viewer')
  theirs = sessionOf(member)
})

afterEach(async () => {
  mine.close()
  theirs.close()
  await echo.close()
})

describe('a session and the member’s role', { timeout: 30_000 }, () => {
  it('gives a viewer a read-only note editor and refuses their writes', async () => {
    expect(theirs.canWrite.get()).toBe(false)
    const editor = await theirs.noteEditor(noteId)
    if (!editor.ok) throw new Error(editor.error.message)
    // The binding itself is echo's read-only one (CodeMirror's facets: `note-permission.test.ts`).
    expect(editor.value.readOnly).toBe(true)
    const renamed = await theirs.renameNote(noteId, 'Mine now')
    expect(renamed.ok ? 'renamed' : renamed.error.code).toBe('not-allowed')
  })

  it('gives a member who may write a writable editor', async () => {
    const editor = await mine.noteEditor(noteId)
    if (!editor.ok) throw new Error(editor.error.message)
    expect(editor.value.readOnly).toBe(false)
  })

  it('follows the role: canWrite and canCompact change when the owner changes it', () => {
    const writes = heard(theirs.canWrite)
    const compacts = heard(theirs.canCompact)
    makeRole('editor')
    expect(theirs.canWrite.get()).toBe(true)
    makeRole('admin')
    expect(theirs.canCompact.get()).toBe(true)
    makeRole('viewer')
    expect(writes).toEqual([true, false])
    expect(compacts).toEqual([true, false])
    expect(mine.canWrite.get()).toBe(true)
  })

  it('offers the roles the member may invite with as its role changes: admins invite admins too, never owners', () => {
    expect(mine.inviteRoles.get()).toEqual(['admin', 'editor', 'viewer'])
    expect(theirs.inviteRoles.get()).toEqual([])
    makeRole('editor')
    expect(theirs.inviteRoles.get()).toEqual([])
    makeRole('admin')
    expect(theirs.inviteRoles.get()).toEqual(['admin', 'editor', 'viewer'])
  })

  it('takes the writable binding away from a member demoted while the note is open', async () => {
    makeRole('editor')
    const editor = await theirs.noteEditor(noteId)
    if (!editor.ok) throw new Error(editor.error.message)
    expect(editor.value.readOnly).toBe(false)
    makeRole('viewer')
    // The open binding follows `canWrite` (it turns read-only in a live editor); reopened, it is read-only.
    expect(theirs.canWrite.get()).toBe(false)
    const reopened = await theirs.noteEditor(noteId)
    if (!reopened.ok) throw new Error(reopened.error.message)
    expect(reopened.value.readOnly).toBe(true)
    const handle = await space.noteText(member, noteId as never)
    expect(handle.ok ? 'writable handle' : handle.error.code).toBe('not-allowed')
  })

  it('says why a list could not be read, instead of loading forever', async () => {
    // The index refuses the query (a sort field tasks do not have): echo's live query fails.
    const query = space.query.bind(space)
    vi.spyOn(space, 'query').mockImplementation((asked) => query({ ...asked, sort: { by: 'due' as never } }))
    const tasks = theirs.tasks('')
    const problem = await new Promise<Problem>((resolve) => {
      const now = tasks.problem.get()
      if (now !== undefined) resolve(now)
      tasks.problem.subscribe((next) => {
        if (next !== undefined) resolve(next)
      })
    })
    expect(problem.message).not.toBe('')
    expect(tasks.get()).toBeUndefined()
    tasks.close()
  })
})
