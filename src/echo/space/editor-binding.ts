/**
 * Binds a note's text document to a CodeMirror editor with the established
 * automerge-codemirror plugin: local edits become Automerge splices, remote
 * changes (other tabs, peers) become editor changes. It lives here because it
 * is the one place that touches both the Automerge handle and its text path.
 *
 * Someone who may only read gets a binding that follows the document and
 * cannot write: the editor is read-only and no plugin turns edits into changes.
 */
import type * as State from '@codemirror/state'
import type { Extension } from '@codemirror/state'
import type * as View from '@codemirror/view'
import type { Observable } from '../../base'
import type { NoteReader, NoteText } from './text'
import { keepCursorBeforeRemoteText } from './remote-cursor'
import { readerOf, textOf } from './text'
import { replacedPart } from './text-diff'

export interface EditorBinding {
  /** The text as it is now: the editor must start from exactly this. */
  readonly initialText: string
  readonly binding: Extension
}

type CodeMirror = [typeof State, typeof View]

/** Read-only and following `reader`: each change of the document replaces what differs in the editor. */
const following = ([{ EditorState }, { EditorView, ViewPlugin }]: CodeMirror, reader: NoteReader): Extension => [
  EditorState.readOnly.of(true),
  EditorView.editable.of(false),
  ViewPlugin.define((view) => {
    let live = true
    // A change may arrive while another editor of this document is updating: the view catches up after it.
    const catchUp = () =>
      queueMicrotask(() => {
        const now = view.state.doc.toString()
        const next = reader.text()
        if (live && now !== next) view.dispatch({ changes: replacedPart(now, next) })
      })
    const stop = reader.subscribe(catchUp)
    catchUp()
    return {
      destroy: () => {
        live = false
        stop()
      },
    }
  }),
]

/** Loaded on first use: CodeMirror is most of the app's code and only a note editor needs it. */
const codeMirror = (): Promise<CodeMirror> => Promise.all([import('@codemirror/state'), import('@codemirror/view')])

/**
 * The writable binding, while `mayWrite` holds: when it stops holding (the member was demoted while
 * the note is open) the editor turns read-only and only follows the document; it writes again if
 * the role allows it again.
 */
export const noteEditorBinding = async (note: NoteText, mayWrite: Observable<boolean>): Promise<EditorBinding> => {
  const [{ automergeSyncPlugin }, { isReconcileTx }, editor] = await Promise.all([
    import('@automerge/automerge-codemirror'),
    // Not re-exported by the package's index: it marks the plugin's own transactions (see remote-cursor.ts).
    import('@automerge/automerge-codemirror/dist/plugin.js'),
    codeMirror(),
  ])
  const [{ Compartment }, { ViewPlugin }] = editor
  const access = new Compartment()
  const writing = (may: boolean): Extension =>
    may ? automergeSyncPlugin({ handle: note.handle, path: [...note.path] }) : following(editor, readerOf(note.handle))
  const built = mayWrite.get()
  const switcher = ViewPlugin.define((view) => {
    let live = true
    let current = built
    const follow = (may: boolean) =>
      queueMicrotask(() => {
        if (!live || may === current) return
        current = may
        view.dispatch({ effects: access.reconfigure(writing(may)) })
      })
    // The role may have changed between this binding and the editor that mounts it.
    follow(mayWrite.get())
    const stop = mayWrite.subscribe(follow)
    return {
      destroy: () => {
        live = false
        stop()
      },
    }
  })
  return {
    initialText: textOf(note.handle),
    binding: [access.of(writing(built)), switcher, keepCursorBeforeRemoteText(editor[0], isReconcileTx)],
  }
}

/** A binding for a member who may only read: live text, no writes. */
export const noteReaderBinding = async (reader: NoteReader): Promise<EditorBinding> => ({
  initialText: reader.text(),
  binding: following(await codeMirror(), reader),
})
