import '../testing/node-runtime'
import { applyAmPatchesToCm } from '@automerge/automerge-codemirror/dist/amToCodemirror.js'
import { isReconcileTx } from '@automerge/automerge-codemirror/dist/plugin.js'
import { change, clone, diff, from, getHeads, merge, splice, type Doc } from '@automerge/automerge/slim'
import * as State from '@codemirror/state'
import type { TransactionSpec } from '@codemirror/state'
import type { EditorView } from '@codemirror/view'
import { describe, expect, it } from 'vitest'
import { keepCursorBeforeRemoteText } from './remote-cursor'

/** Automerge's `from` wants an index signature. */
interface Note {
  [key: string]: unknown
  text: string
}

/**
 * One writer: a note's document and an editor on it, wired as automerge-codemirror wires them (its own
 * `applyAmPatchesToCm` applies what arrives; a key typed is spliced where it landed in the editor). The editor is
 * its state alone, which is all that function reads and dispatches to: Node has no DOM for a view.
 */
class Writer {
  doc: Doc<Note>
  state: State.EditorState

  constructor(doc: Doc<Note>, rule: boolean) {
    this.doc = doc
    this.state = State.EditorState.create({
      doc: doc.text,
      selection: State.EditorSelection.cursor(doc.text.length),
      extensions: rule ? keepCursorBeforeRemoteText(State, isReconcileTx) : [],
    })
  }

  get cursor(): number {
    return this.state.selection.main.head
  }

  dispatch(spec: TransactionSpec): void {
    this.state = this.state.update(spec).state
  }

  type(keys: string): void {
    for (const key of keys) {
      const at = this.cursor
      this.dispatch({
        changes: { from: at, insert: key },
        selection: State.EditorSelection.cursor(at + 1),
        userEvent: 'input.type',
      })
      this.doc = change(this.doc, (note) => {
        splice(note, ['text'], at, 0, key)
      })
    }
  }

  receive(other: Writer): void {
    const before = getHeads(this.doc)
    this.doc = merge(this.doc, other.doc)
    applyAmPatchesToCm(this as unknown as EditorView, ['text'], diff(this.doc, before, getHeads(this.doc)))
  }
}

const twoWriters = (rule: boolean): [Writer, Writer] => {
  const start = from<Note>({ text: 'Start.' })
  return [new Writer(start, rule), new Writer(clone(start), rule)]
}

describe('the cursor where another writer’s text lands', () => {
  it('stays before text another writer inserted exactly at it', () => {
    const [ada, bea] = twoWriters(true)
    bea.type(' sage')
    ada.receive(bea)
    expect(ada.state.doc.toString()).toBe('Start. sage')
    expect(ada.cursor).toBe('Start.'.length)
  })

  it('keeps the words of two writers typing at the same place at once whole (a key each, in turn)', () => {
    const texts = (rule: boolean): string[] => {
      const [ada, bea] = twoWriters(rule)
      const [adaKeys, beaKeys] = [' onyx opal', ' sage sand']
      for (let at = 0; at < adaKeys.length; at++) {
        ada.type(adaKeys[at] ?? '')
        bea.type(beaKeys[at] ?? '')
        ada.receive(bea)
        bea.receive(ada)
      }
      return [ada.state.doc.toString(), bea.state.doc.toString(), ada.doc.text]
    }
    const [ada, bea, doc] = texts(true)
    expect(bea).toBe(ada)
    expect(doc).toBe(ada)
    expect([' onyx opal sage sand', ' sage sand onyx opal'].map((tail) => `Start.${tail}`)).toContain(ada)
    // The plugin alone: each writer's keys land after the other's, letter by letter.
    expect(texts(false)[0]).not.toContain('onyx')
  })
})
