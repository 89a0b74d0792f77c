// Tests only: types into a note's text document as an editor would, so other layers' tests need no Automerge.
import { updateText } from '@automerge/automerge/slim'
import type { NoteText } from '../space/text'

/** Replaces the note's text with `text` (a diff: what both sides kept stays, so concurrent typing merges). */
export const typeText = (note: NoteText, text: string): void => {
  note.handle.change((doc) => {
    updateText(doc, [...note.path], text)
  })
}
