import { createSignal, Show, type Component } from 'solid-js'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { FormError } from '../FormError'
import { ExportIdentity } from './ExportIdentity'
import { PhraseWords } from './PhraseWords'

/**
 * Saving a backup of the identity: the phrase written down, or an identity file. Once the
 * person says it is saved, this device deletes its copy of the identity secret.
 */
export const SaveBackup: Component<{ onSaved?: () => void }> = (props) => {
  const identity = useClient().identity
  const [words, setWords] = createSignal<string[]>()
  const [byFile, setByFile] = createSignal(false)
  const [fileSaved, setFileSaved] = createSignal(false)
  const show = createAction(async () => {
    const phrase = await identity.recoveryPhrase()
    if (!phrase.ok) return phrase
    setByFile(false)
    setWords(phrase.value.split(' '))
    return undefined
  })
  const confirm = createAction(async () => {
    const result = await identity.confirmBackup()
    if (!result.ok) return result
    setWords(undefined)
    props.onSaved?.()
    return undefined
  })
  return (
    <div class="save-backup">
      <Show when={words() === undefined && !byFile()}>
        <div class="actions">
          <button type="button" class="button primary" disabled={show.busy()} onClick={() => void show.run()}>
            Save your recovery phrase
          </button>
          <button
            type="button"
            class="button"
            onClick={() => {
              setByFile(true)
            }}
          >
            Save an identity file instead
          </button>
        </div>
      </Show>
      <Show when={words()}>
        {(shown) => (
          <>
            <p>Write these 12 words down, in this order, and keep them somewhere safe and private.</p>
            <PhraseWords words={shown()} />
          </>
        )}
      </Show>
      <Show when={byFile()}>
        <ExportIdentity
          backup="needed"
          onSaved={() => {
            setFileSaved(true)
          }}
        />
      </Show>
      <Show when={words() !== undefined || fileSaved()}>
        <p>
          When you confirm, this device deletes its copy. After that, showing the phrase, saving an identity file or
          revoking a device asks you for these words.
        </p>
        <button type="button" class="button primary" disabled={confirm.busy()} onClick={() => void confirm.run()}>
          I've saved it
        </button>
      </Show>
      <FormError message={show.error() ?? confirm.error()} />
    </div>
  )
}
