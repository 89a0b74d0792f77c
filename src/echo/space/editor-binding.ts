/**
 * Binds a note's text document to a CodeMirror editor with the established
 * automerge-codemirror plugin: local edits become Automerge splices, remote
 * changes (other tabs, peers) become editor changes. It lives here because it
 * is the one place that touches both the Automerge handle and its text path.
 */
import type { Extension } from '@codemirror/state'
import type { NoteText } from './text'
import { textOf } from './text'

export interface EditorBinding {
  /** The text as it is now: the editor must start from exactly this. */
  readonly initialText: string
  readonly binding: Extension
}

/** Loaded on first use: CodeMirror is most of the app's code and only a note editor needs it. */
export const noteEditorBinding = async (note: NoteText): Promise<EditorBinding> => {
  const { automergeSyncPlugin } = await import('@automerge/automerge-codemirror')
  return {
    initialText: textOf(note.handle),
    binding: automergeSyncPlugin({ handle: note.handle, path: [...note.path] }),
  }
}
