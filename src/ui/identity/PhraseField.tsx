import { Show, type Component } from 'solid-js'

/** Asks for the recovery phrase where this device no longer keeps it (to act as the identity). */
export const PhraseField: Component<{ value: string; onValue: (value: string) => void; why?: string }> = (props) => (
  <label class="field">
    <span>Your recovery phrase (12 words)</span>
    <textarea
      rows="3"
      autocomplete="off"
      spellcheck={false}
      value={props.value}
      onInput={(event) => {
        props.onValue(event.currentTarget.value)
      }}
    />
    <Show when={props.why}>{(why) => <small>{why()}</small>}</Show>
  </label>
)

/** Why the phrase (or passphrase) is asked for, the same words everywhere. */
export const PHRASE_NEEDED = 'This device does not keep your identity key openly, so this needs it.'
