import type { Component } from 'solid-js'
import { Field } from '../Field'

/** Asks for the recovery phrase where this device no longer keeps it (to act as the identity). */
export const PhraseField: Component<{
  /** "Your recovery phrase (12 words)" unless told otherwise. */
  label?: string
  value: string
  onValue: (value: string) => void
  why?: string
  error?: string | undefined
}> = (props) => (
  <Field label={props.label ?? 'Your recovery phrase (12 words)'} hint={props.why} error={props.error}>
    {(control) => (
      <textarea
        {...control}
        rows="3"
        autocomplete="off"
        spellcheck={false}
        value={props.value}
        onInput={(event) => {
          props.onValue(event.currentTarget.value)
        }}
      />
    )}
  </Field>
)

/** Why the phrase (or passphrase) is asked for, the same words everywhere. */
export const PHRASE_NEEDED = 'This device does not keep your identity key openly, so this needs it.'
