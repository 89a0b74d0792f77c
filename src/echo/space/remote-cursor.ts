/**
 * Where the cursor stands when another writer's text lands exactly at it. automerge-codemirror 0.2.0 applies a
 * remote change (`applyAmPatchesToCm`) and then sets the selection it mapped with assoc 1, after the new text. Two
 * people typing at the same place then push each other's cursor past every key the other typed, and their words
 * interleave letter by letter ("onyx" and "sage" became "snyaxge": e2e/tabs-and-peer.spec.ts). CodeMirror's own
 * mapping of that change keeps the cursor before the new text, so each writer's next key follows its own last one;
 * this drops the plugin's last selection so CodeMirror's stands. CodeMirror is passed in: it loads on first use.
 */
import type * as State from '@codemirror/state'
import type { Extension, Transaction } from '@codemirror/state'

export const keepCursorBeforeRemoteText = (
  { EditorState }: typeof State,
  isReconcile: (transaction: Transaction) => boolean,
): Extension =>
  EditorState.transactionFilter.of((transaction) =>
    isReconcile(transaction) && !transaction.docChanged && transaction.selection !== undefined ? [] : transaction,
  )
