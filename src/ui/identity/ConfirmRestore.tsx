import { Match, Show, Switch, type Component } from 'solid-js'
import type { RestorePreview } from '../../client'
import { FormError } from '../FormError'

/**
 * "Is this your identity?" before a restore writes anything: a mistyped word can still make a
 * valid phrase, which stands for another, empty identity. The fingerprint tells them apart.
 */
export const ConfirmRestore: Component<{
  preview: RestorePreview
  method: 'phrase' | 'file'
  busy: boolean
  error: string | undefined
  onConfirm: () => void
  onBack: () => void
}> = (props) => {
  const blocked = () => props.preview.stored?.otherSecretOpens === true
  return (
    <section class="confirm-restore" aria-labelledby="confirm-restore-heading">
      <h3 id="confirm-restore-heading">Is this your identity?</h3>
      <p class="fingerprint">
        <span class="label">Fingerprint </span>
        <code data-testid="restore-fingerprint">{props.preview.fingerprint}</code>
      </p>
      <p data-testid="restore-name">
        {props.preview.displayName === undefined
          ? 'No name is known for this identity on this browser yet.'
          : `Name: ${props.preview.displayName}`}
      </p>
      <p>
        Compare the fingerprint with the one shown on another of your devices, or the one you noted. If it differs, a
        word is mistyped: a phrase with a typo can still look valid and would make a different, empty identity.
      </p>
      <Switch>
        <Match when={blocked()}>
          <p class="notice warning" role="alert">
            This browser still holds another identity (fingerprint {props.preview.stored?.fingerprint}) whose key can
            still be opened. Restoring this would delete it, so it is not allowed. Check each word, or restore in
            another browser profile.
          </p>
        </Match>
        <Match when={props.preview.stored?.sameIdentity === false}>
          <p class="notice warning">
            {props.preview.stored?.fingerprint === undefined
              ? 'This browser holds damaged records that cannot be read. Restoring replaces them.'
              : `The damaged records in this browser belong to another identity (fingerprint ${props.preview.stored.fingerprint}). Restoring replaces them.`}
          </p>
        </Match>
        <Match when={props.preview.stored?.sameIdentity === true}>
          <p>This browser held this identity; what can still be read of it is kept.</p>
        </Match>
      </Switch>
      <FormError message={props.error} />
      <div class="actions">
        <Show when={!blocked()}>
          <button type="button" class="button primary" disabled={props.busy} onClick={() => props.onConfirm()}>
            {props.busy ? 'Restoring…' : 'Yes, restore this identity'}
          </button>
        </Show>
        <button type="button" class="button link" onClick={() => props.onBack()}>
          {props.method === 'phrase' ? 'No, check my words' : 'No, choose another file'}
        </button>
      </div>
    </section>
  )
}
