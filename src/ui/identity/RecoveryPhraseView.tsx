import { createSignal, For, Show, type Component } from 'solid-js'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { FormError } from '../FormError'

/** Shows the recovery phrase only when asked, as a numbered list of words. */
export const RecoveryPhraseView: Component = () => {
  const identity = useClient().identity
  const [words, setWords] = createSignal<string[]>()
  const reveal = createAction(async () => {
    const phrase = await identity.recoveryPhrase()
    if (!phrase.ok) return phrase
    setWords(phrase.value.split(' '))
    return undefined
  })
  return (
    <div class="recovery-phrase">
      <Show
        when={words()}
        fallback={
          <button type="button" class="button" disabled={reveal.busy()} onClick={() => void reveal.run()}>
            Show my recovery phrase
          </button>
        }
      >
        {(shown) => (
          <>
            <ol class="words" aria-label="Recovery phrase" data-testid="recovery-phrase">
              <For each={shown()}>{(word) => <li>{word}</li>}</For>
            </ol>
            <button
              type="button"
              class="button"
              onClick={() => {
                setWords(undefined)
              }}
            >
              Hide
            </button>
          </>
        )}
      </Show>
      <FormError message={reveal.error()} />
    </div>
  )
}
