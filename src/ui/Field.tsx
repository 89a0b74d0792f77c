import { Show, type Component, type JSX } from 'solid-js'

/** A labelled single-line input, the app's one way to ask for a piece of text. */
export const TextField: Component<{
  label: string
  value: string
  onValue: (value: string) => void
  type?: 'text' | 'password' | 'search' | 'date'
  autocomplete?: JSX.HTMLAutocomplete
  maxLength?: number
  hint?: string
}> = (props) => (
  <label class="field">
    <span>{props.label}</span>
    <input
      type={props.type ?? 'text'}
      autocomplete={props.autocomplete}
      maxLength={props.maxLength}
      value={props.value}
      onInput={(event) => {
        props.onValue(event.currentTarget.value)
      }}
    />
    <Show when={props.hint}>{(hint) => <small>{hint()}</small>}</Show>
  </label>
)

/** A one-line form that makes something from a name: a space, a note. */
export const CreateForm: Component<{
  label: string
  placeholder: string
  button: string
  value: string
  onValue: (value: string) => void
  busy: boolean
  onSubmit: () => void
  maxLength: number
}> = (props) => (
  <form
    class="inline-form"
    onSubmit={(event) => {
      event.preventDefault()
      props.onSubmit()
    }}
  >
    <label>
      <span class="visually-hidden">{props.label}</span>
      <input
        placeholder={props.placeholder}
        maxLength={props.maxLength}
        value={props.value}
        onInput={(event) => {
          props.onValue(event.currentTarget.value)
        }}
      />
    </label>
    <button type="submit" class="button primary" disabled={props.busy}>
      {props.button}
    </button>
  </form>
)
