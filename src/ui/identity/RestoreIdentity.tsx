import { createSignal, Show, type Component } from 'solid-js'
import type { RestorePreview } from '../../client'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { Field, TextField } from '../Field'
import { FormError } from '../FormError'
import { formErrors, submitForm } from '../form-errors'
import { suggestDeviceName } from './avatar-choices'
import { ConfirmRestore } from './ConfirmRestore'
import { PhraseField } from './PhraseField'

/**
 * Brings an identity to this browser from a recovery phrase or an identity
 * file. This browser becomes a new device of that identity. Nothing is written
 * before the person has seen which identity it is and said yes.
 */
export const RestoreIdentity: Component<{ onCancel?: () => void }> = (props) => {
  const { identity, limits } = useClient()
  const [method, setMethod] = createSignal<'phrase' | 'file'>('phrase')
  const [phrase, setPhrase] = createSignal('')
  const [file, setFile] = createSignal<File>()
  const [password, setPassword] = createSignal('')
  const [displayName, setDisplayName] = createSignal('')
  const [deviceName, setDeviceName] = createSignal(suggestDeviceName(navigator.userAgent))
  const [preview, setPreview] = createSignal<RestorePreview>()
  const check = createAction(async () => {
    if (method() === 'phrase') {
      const result = await identity.previewPhrase(phrase())
      if (result.ok) setPreview(result.value)
      return result
    }
    const chosen = file()
    if (!chosen) return { ok: false, error: { message: 'Choose your identity file first.', field: 'file' } }
    const result = await identity.previewFile(chosen, password())
    if (result.ok) setPreview(result.value)
    return result
  })
  const errors = formErrors(check, ['phrase', 'file', 'password', 'displayName', 'deviceName'])
  const restore = createAction(async (confirmed: string) => {
    const device = deviceName().trim() || suggestDeviceName(navigator.userAgent)
    const name = displayName().trim()
    // A phrase carries no profile; the name is used until the profile arrives from another device.
    const profile = name === '' ? undefined : { displayName: name }
    if (method() === 'phrase') return identity.restoreFromPhrase(phrase(), confirmed, device, profile)
    const chosen = file()
    if (!chosen) return { ok: false, error: { message: 'Choose your identity file first.' } }
    return identity.importFile(chosen, password(), confirmed, device, profile)
  })

  return (
    <div class="restore">
      <h2 id="onboarding-heading">Restore your identity</h2>
      <fieldset class="field segmented" hidden={preview() !== undefined}>
        <legend>Restore from</legend>
        <label>
          <input
            type="radio"
            name="restore-method"
            checked={method() === 'phrase'}
            onChange={() => {
              setMethod('phrase')
            }}
          />
          Recovery phrase
        </label>
        <label>
          <input
            type="radio"
            name="restore-method"
            checked={method() === 'file'}
            onChange={() => {
              setMethod('file')
            }}
          />
          Identity file
        </label>
      </fieldset>
      <Show when={preview()}>
        {(shown) => (
          <ConfirmRestore
            preview={shown()}
            method={method()}
            busy={restore.busy()}
            error={restore.error()}
            onConfirm={() => void restore.run(shown().identityKey)}
            onBack={() => {
              setPreview(undefined)
            }}
          />
        )}
      </Show>
      <form
        class="form"
        hidden={preview() !== undefined}
        onSubmit={(event) => {
          submitForm(event, () => check.run())
        }}
      >
        <Show
          when={method() === 'phrase'}
          fallback={
            <>
              <Field label="Your identity file" error={errors.of('file')}>
                {(control) => (
                  <input
                    {...control}
                    type="file"
                    accept=".json,application/json"
                    onChange={(event) => {
                      setFile(event.currentTarget.files?.[0])
                    }}
                  />
                )}
              </Field>
              <TextField
                label="File password"
                type="password"
                autocomplete="current-password"
                value={password()}
                onValue={setPassword}
                error={errors.of('password')}
              />
            </>
          }
        >
          <PhraseField
            label="Recovery phrase (12 words)"
            value={phrase()}
            onValue={setPhrase}
            error={errors.of('phrase')}
          />
          <TextField
            label="Your name"
            autocomplete="nickname"
            maxLength={limits.displayName}
            value={displayName()}
            onValue={setDisplayName}
            hint="Shown until your profile arrives from your other devices."
            error={errors.of('displayName')}
          />
        </Show>
        <TextField
          label="Name for this device"
          maxLength={limits.deviceName}
          value={deviceName()}
          onValue={setDeviceName}
          error={errors.of('deviceName')}
        />
        <FormError message={errors.form()} />
        <div class="actions">
          <button type="submit" class="button primary" disabled={check.busy()}>
            {check.busy() ? 'Checking…' : 'Restore identity'}
          </button>
          <Show when={props.onCancel}>
            {(cancel) => (
              <button type="button" class="button link" onClick={() => cancel()()}>
                Back
              </button>
            )}
          </Show>
        </div>
      </form>
    </div>
  )
}
