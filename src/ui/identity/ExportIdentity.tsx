import { createSignal, Show, type Component } from 'solid-js'
import type { IdentityView } from '../../client'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { saveFile } from '../download'
import { TextField } from '../Field'
import { FormError } from '../FormError'
import { formErrors, submitForm } from '../form-errors'
import { PHRASE_NEEDED } from './PhraseField'
import { needsUnlock, UnlockField, unlockOf } from './UnlockField'

/**
 * Saves the identity as a file encrypted with a password the person chooses; asks for the
 * recovery phrase once this device no longer keeps it.
 */
export const ExportIdentity: Component<{ backup: IdentityView['backup']; onSaved?: () => void }> = (props) => {
  const { identity, limits } = useClient()
  const [phrase, setPhrase] = createSignal('')
  const [password, setPassword] = createSignal('')
  const [repeat, setRepeat] = createSignal('')
  const [saved, setSaved] = createSignal(false)
  const exportFile = createAction(async () => {
    setSaved(false)
    if (password().length < limits.passwordMin)
      return {
        ok: false,
        error: { message: `Use a password of at least ${limits.passwordMin} characters.`, field: 'password' },
      }
    if (password() !== repeat()) return { ok: false, error: { message: 'The two passwords differ.', field: 'repeat' } }
    const result = await identity.exportFile(password(), unlockOf(props.backup, phrase()))
    if (!result.ok) return result
    saveFile({ fileName: 'commonplace-identity.json', blob: result.value })
    setPhrase('')
    setPassword('')
    setRepeat('')
    setSaved(true)
    props.onSaved?.()
    return undefined
  })
  const errors = formErrors(exportFile, ['unlock', 'password', 'repeat'])
  return (
    <form
      class="form"
      onSubmit={(event) => {
        submitForm(event, () => exportFile.run())
      }}
    >
      <p>The file holds your identity key, encrypted with this password. Keep both safe.</p>
      <Show when={needsUnlock(props.backup)}>
        <UnlockField
          backup={props.backup}
          value={phrase()}
          onValue={setPhrase}
          why={PHRASE_NEEDED}
          error={errors.of('unlock')}
        />
      </Show>
      <TextField
        label="Password"
        type="password"
        autocomplete="new-password"
        value={password()}
        onValue={setPassword}
        error={errors.of('password')}
      />
      <TextField
        label="Repeat password"
        type="password"
        autocomplete="new-password"
        value={repeat()}
        onValue={setRepeat}
        error={errors.of('repeat')}
      />
      <FormError message={errors.form()} />
      <Show when={saved()}>
        <p role="status">Identity file saved.</p>
      </Show>
      <button type="submit" class="button" disabled={exportFile.busy()}>
        {exportFile.busy() ? 'Encrypting…' : 'Save identity file'}
      </button>
    </form>
  )
}
