// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho } from '../testing/fixtures'
import { EditorState } from '@codemirror/state'
import { EditorView } from '@codemirror/view'
import { describe, expect, it } from 'vitest'
import { Cell } from '../../base'
import { noteEditorBinding, noteReaderBinding } from './editor-binding'
import { textOf } from './text'

/** A space of Alice's with one note, and Bob admitted as a viewer. */
const withViewer = async () => {
  const alice = makeActor()
  const bob = makeActor()
  const echo = openTestEcho()
  const space = await echo.createSpace(alice, 'Work')
  const note = await space.createNote(alice, 'Plan', 'first draft')
  if (!note.ok) throw note.error
  const admitted = space.admit(alice, bob.identity, 'viewer')
  if (!admitted.ok) throw admitted.error
  return { alice, bob, echo, space, id: note.value.id }
}

/** What an editor built on `binding` allows: CodeMirror's own read-only and editable facets. */
const editorAllows = (binding: unknown) => {
  const state = EditorState.create({ doc: '', extensions: binding as never })
  return { readOnly: state.readOnly, editable: state.facet(EditorView.editable) }
}

describe("a note's text and the permission policy", { timeout: 30_000 }, () => {
  it('hands the writable document only to a member who may write', async () => {
    const { alice, bob, echo, space, id } = await withViewer()
    const refused = await space.noteText(bob, id)
    expect(refused.ok ? 'writable handle' : refused.error.code).toBe('not-allowed')
    const stranger = await space.noteText(makeActor(), id)
    expect(stranger.ok ? 'writable handle' : stranger.error.code).toBe('not-allowed')
    const own = await space.noteText(alice, id)
    expect(own.ok && textOf(own.value.handle)).toBe('first draft')
    await echo.close()
  })

  it('lets a viewer read the text as it changes, through a reader that has nothing to write with', async () => {
    const { alice, echo, space, id } = await withViewer()
    const reader = await space.noteReader(id)
    if (!reader.ok) throw reader.error
    expect(reader.value.text()).toBe('first draft')
    expect(Object.keys(reader.value).sort()).toEqual(['subscribe', 'text'])
    const changed = new Promise<string>((resolve) => {
      const stop = reader.value.subscribe(() => {
        stop()
        resolve(reader.value.text())
      })
    })
    const own = await space.noteText(alice, id)
    if (!own.ok) throw own.error
    own.value.handle.change((doc) => {
      doc.text = 'second draft'
    })
    expect(await changed).toBe('second draft')
    await echo.close()
  })

  it('gives a read-only binding to a reader, and a writable one only while the role allows writing', async () => {
    const { alice, echo, space, id } = await withViewer()
    const reader = await space.noteReader(id)
    const own = await space.noteText(alice, id)
    if (!reader.ok || !own.ok) throw new Error('note not opened')
    const read = await noteReaderBinding(reader.value)
    expect(read.initialText).toBe('first draft')
    expect(editorAllows(read.binding)).toEqual({ readOnly: true, editable: false })
    const mayWrite = new Cell(true)
    expect(editorAllows((await noteEditorBinding(own.value, mayWrite)).binding)).toEqual({
      readOnly: false,
      editable: true,
    })
    mayWrite.set(false)
    expect(editorAllows((await noteEditorBinding(own.value, mayWrite)).binding)).toEqual({
      readOnly: true,
      editable: false,
    })
    await echo.close()
  })
})
