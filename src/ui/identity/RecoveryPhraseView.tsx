import { createSignal, Show, type Component } from 'solid-js'
import type { IdentityView } from '../../client'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { FormError } from '../FormError'
import { formErrors, submitForm } from '../form-errors'
import { needsUnlock, UnlockField, unlockOf } from './UnlockField'
import { PhraseWords } from './PhraseWords'

/**
 * Shows the recovery phrase only when asked. Once the backup is saved the phrase is not on this
 * device: the person types it, and seeing it here confirms it is the right one.
 */
export const RecoveryPhraseView: Component<{ backup: IdentityView['backup'] }> = (props) => {
  const identity = useClient().identity
  const [asking, setAsking] = createSignal(false)
  const [typed, setTyped] = createSignal('')
  const [words, setWords] = createSignal<string[]>()
  const reveal = createAction(async () => {
    if (needsUnlock(props.backup) && !asking()) {
      setAsking(true)
      return undefined
    }
    const phrase = await identity.recoveryPhrase(asking() ? unlockOf(props.backup, typed()) : undefined)
    if (!phrase.ok) return phrase
    setTyped('')
    setAsking(false)
    setWords(phrase.value.split(' '))
    return undefined
  })
  const errors = formErrors(reveal, ['unlock'])
  return (
    <div class="recovery-phrase">
      <Show
        when={words()}
        fallback={
          <form
            class="form"
            onSubmit={(event) => {
              submitForm(event, () => reveal.run())
            }}
          >
            <Show when={asking()}>
              <UnlockField
                backup={props.backup}
                value={typed()}
                onValue={setTyped}
                why={
                  props.backup === 'locked'
                    ? 'Your recovery phrase is kept on this device behind your passphrase.'
                    : 'This device no longer keeps your recovery phrase. Type it to see it here and check it.'
                }
                error={errors.of('unlock')}
              />
            </Show>
            <button type="submit" class="button" disabled={reveal.busy()}>
              Show my recovery phrase
            </button>
          </form>
        }
      >
        {(shown) => (
          <>
            <Show when={props.backup === 'saved'}>
              <p role="status">That is your recovery phrase.</p>
            </Show>
            <PhraseWords words={shown()} />
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
      <FormError message={errors.form()} />
    </div>
  )
}
