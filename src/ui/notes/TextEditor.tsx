import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { markdown } from '@codemirror/lang-markdown'
import type { Extension } from '@codemirror/state'
import { EditorView, keymap, placeholder } from '@codemirror/view'
import { onCleanup, onMount, type Component } from 'solid-js'

/** Colours come from the page's custom properties, which reach into the shadow root. */
const theme = EditorView.theme({
  '&': { minHeight: '16rem', background: 'var(--bg)', color: 'var(--text)', borderRadius: '6px' },
  '&.cm-focused': { outline: '3px solid var(--focus)' },
  '.cm-content': { fontFamily: 'ui-monospace, monospace', padding: '0.75rem', caretColor: 'var(--text)' },
  '.cm-placeholder': { color: 'var(--muted)' },
})

/**
 * CodeMirror 6 for a note's text. `binding` (from the client) keeps the editor
 * and the Automerge text in step both ways; the editor starts from `initialText`.
 * It lives in a shadow root so CodeMirror can style itself with constructed
 * style sheets, which the Content-Security-Policy allows, instead of <style> tags.
 */
export const TextEditor: Component<{ initialText: string; binding: unknown; label: string }> = (props) => {
  let view: EditorView | undefined
  const editorFor = (host: HTMLDivElement) => {
    const root = host.attachShadow({ mode: 'open' })
    return new EditorView({
      doc: props.initialText,
      root,
      parent: root,
      extensions: [
        theme,
        history(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        markdown(),
        EditorView.lineWrapping,
        placeholder('Write here…'),
        EditorView.contentAttributes.of({ 'aria-label': props.label, 'aria-multiline': 'true' }),
        props.binding as Extension,
      ],
    })
  }
  let host: HTMLDivElement | undefined
  // CodeMirror measures and styles itself in a live document, so it starts once the host is attached.
  onMount(() => {
    if (host) view = editorFor(host)
  })
  onCleanup(() => view?.destroy())
  return (
    <div
      class="text-editor"
      data-testid="note-text"
      ref={(element) => {
        host = element
      }}
    />
  )
}
