import { For, type Component } from 'solid-js'

/** The 12 words as a numbered list. */
export const PhraseWords: Component<{ words: readonly string[] }> = (props) => (
  <ol class="words" aria-label="Recovery phrase" data-testid="recovery-phrase">
    <For each={props.words}>{(word) => <li>{word}</li>}</For>
  </ol>
)
