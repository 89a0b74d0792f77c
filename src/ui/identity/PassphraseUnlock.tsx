import { createSignal, Match, Switch, type Component } from 'solid-js'
import type { IdentityView } from '../../client'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { TextField } from '../Field'
import { FormError } from '../FormError'
import { formErrors, submitForm } from '../form-errors'
import { PhraseField } from './PhraseField'

/**
 * Optionally keeps the identity secret on this device behind a passphrase, so revoking, showing
 * the phrase and saving a file ask for the passphrase instead of the 12 words.
 */
export const PassphraseUnlock: Component<{ backup: IdentityView['backup'] }> = (props) => {
  const { identity, limits } = useClient()
  const [phrase, setPhrase] = createSignal('')
  const [passphrase, setPassphrase] = createSignal('')
  const [repeat, setRepeat] = createSignal('')
  const keep = createAction(async () => {
    if (passphrase().length < limits.passwordMin)
      return {
        ok: false,
        error: { message: `Use a passphrase of at least ${limits.passwordMin} characters.`, field: 'passphrase' },
      }
    if (passphrase() !== repeat())
      return { ok: false, error: { message: 'The two passphrases differ.', field: 'repeat' } }
    const result = await identity.keepWithPassphrase(passphrase(), { recoveryPhrase: phrase() })
    if (result.ok) {
      setPhrase('')
      setPassphrase('')
      setRepeat('')
    }
    return result
  })
  const errors = formErrors(keep, ['unlock', 'passphrase', 'repeat'])
  const forget = createAction(() => identity.forgetPassphrase())
  return (
    <Switch>
      <Match when={props.backup === 'saved'}>
        <form
          class="form"
          onSubmit={(event) => {
            submitForm(event, () => keep.run())
          }}
        >
          <p>
            Keep your identity key on this device behind a passphrase, so that you can act as yourself here without
            typing your 12 words. Anyone who learns the passphrase and uses this device can too.
          </p>
          <PhraseField value={phrase()} onValue={setPhrase} error={errors.of('unlock')} />
          <TextField
            label="New passphrase"
            type="password"
            autocomplete="new-password"
            value={passphrase()}
            onValue={setPassphrase}
            error={errors.of('passphrase')}
          />
          <TextField
            label="Repeat passphrase"
            type="password"
            autocomplete="new-password"
            value={repeat()}
            onValue={setRepeat}
            error={errors.of('repeat')}
          />
          <FormError message={errors.form()} />
          <button type="submit" class="button" disabled={keep.busy()}>
            {keep.busy() ? 'Encrypting…' : 'Keep it behind this passphrase'}
          </button>
        </form>
      </Match>
      <Match when={props.backup === 'locked'}>
        <p role="status">This device keeps your identity key behind your passphrase.</p>
        <FormError message={forget.error()} />
        <button type="button" class="button" disabled={forget.busy()} onClick={() => void forget.run()}>
          Remove it from this device
        </button>
      </Match>
    </Switch>
  )
}
