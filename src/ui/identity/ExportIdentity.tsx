import { createSignal, Show, type Component } from 'solid-js'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { saveFile } from '../download'
import { TextField } from '../Field'
import { FormError } from '../FormError'

const MIN_PASSWORD_LENGTH = 8

/** Saves the identity as a file encrypted with a password the person chooses. */
export const ExportIdentity: Component = () => {
  const identity = useClient().identity
  const [password, setPassword] = createSignal('')
  const [repeat, setRepeat] = createSignal('')
  const [saved, setSaved] = createSignal(false)
  const exportFile = createAction(async () => {
    setSaved(false)
    if (password().length < MIN_PASSWORD_LENGTH)
      return { ok: false, error: { message: `Use a password of at least ${MIN_PASSWORD_LENGTH} characters.` } }
    if (password() !== repeat()) return { ok: false, error: { message: 'The two passwords differ.' } }
    const result = await identity.exportFile(password())
    if (!result.ok) return result
    saveFile({ fileName: 'commonplace-identity.json', blob: result.value })
    setPassword('')
    setRepeat('')
    setSaved(true)
    return undefined
  })
  return (
    <form
      class="form"
      onSubmit={(event) => {
        event.preventDefault()
        void exportFile.run()
      }}
    >
      <p>The file holds your identity key, encrypted with this password. Keep both safe.</p>
      <TextField
        label="Password"
        type="password"
        autocomplete="new-password"
        value={password()}
        onValue={setPassword}
      />
      <TextField
        label="Repeat password"
        type="password"
        autocomplete="new-password"
        value={repeat()}
        onValue={setRepeat}
      />
      <FormError message={exportFile.error()} />
      <Show when={saved()}>
        <p role="status">Identity file saved.</p>
      </Show>
      <button type="submit" class="button" disabled={exportFile.busy()}>
        {exportFile.busy() ? 'Encrypting…' : 'Save identity file'}
      </button>
    </form>
  )
}
