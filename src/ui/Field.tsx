import { createUniqueId, Show, type Component, type JSX } from 'solid-js'
import { submitForm, type FormErrors } from './form-errors'
import { FormError } from './FormError'

/** What ties a control to its label, hint and error; spread onto the input, textarea or select. */
interface ControlAttributes {
  readonly id: string
  readonly 'aria-invalid': 'true' | undefined
  readonly 'aria-describedby': string | undefined
}

/** Error messages: one, several (a settings field with a problem per line), or none. */
type FieldError = string | readonly string[] | undefined

const hasError = (error: FieldError): boolean => error !== undefined && (typeof error === 'string' || error.length > 0)

/**
 * A labelled control with its hint and its error. With an error the control is `aria-invalid` and
 * described by the error's id (and the hint's), so focusing it reads why it was refused.
 */
export const Field: Component<{
  label: string
  hint?: JSX.Element
  error: FieldError
  /** More classes beside `field`. */
  class?: string
  /** The label only for screen readers (a one-line form with a placeholder). */
  hiddenLabel?: boolean
  children: (control: ControlAttributes) => JSX.Element
}> = (props) => {
  const id = createUniqueId()
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const control: ControlAttributes = {
    id,
    get 'aria-invalid'() {
      return hasError(props.error) ? 'true' : undefined
    },
    get 'aria-describedby'() {
      const ids = [hasError(props.error) ? errorId : '', props.hint === undefined ? '' : hintId].filter(Boolean)
      return ids.length > 0 ? ids.join(' ') : undefined
    },
  }
  return (
    <div class={props.class === undefined ? 'field' : `field ${props.class}`}>
      <label for={id} classList={{ 'visually-hidden': props.hiddenLabel === true }}>
        {props.label}
      </label>
      {props.children(control)}
      <Show when={props.hint !== undefined}>
        <small id={hintId}>{props.hint}</small>
      </Show>
      <FormError id={errorId} message={props.error} />
    </div>
  )
}

/** A labelled single-line input, the app's one way to ask for a piece of text. */
export const TextField: Component<{
  label: string
  value: string
  onValue: (value: string) => void
  type?: 'text' | 'password' | 'search' | 'date'
  name?: string
  autocomplete?: JSX.HTMLAutocomplete
  maxLength?: number
  hint?: string
  error?: FieldError
}> = (props) => (
  <Field label={props.label} hint={props.hint} error={props.error}>
    {(control) => (
      <input
        {...control}
        type={props.type ?? 'text'}
        name={props.name}
        autocomplete={props.autocomplete}
        maxLength={props.maxLength}
        value={props.value}
        onInput={(event) => {
          props.onValue(event.currentTarget.value)
        }}
      />
    )}
  </Field>
)

/** A one-line form that makes something from a name: a space, a note. */
export const CreateForm: Component<{
  label: string
  placeholder: string
  button: string
  value: string
  onValue: (value: string) => void
  busy: boolean
  onSubmit: () => Promise<void>
  maxLength: number
  /** The client's name for the one field (`name`, `title`): a failure naming it is drawn on the input. */
  field: string
  errors: FormErrors
}> = (props) => (
  <>
    <form
      class="inline-form"
      onSubmit={(event) => {
        submitForm(event, () => props.onSubmit())
      }}
    >
      <Field label={props.label} hiddenLabel error={props.errors.of(props.field)}>
        {(control) => (
          <input
            {...control}
            placeholder={props.placeholder}
            maxLength={props.maxLength}
            value={props.value}
            onInput={(event) => {
              props.onValue(event.currentTarget.value)
            }}
          />
        )}
      </Field>
      <button type="submit" class="button primary" disabled={props.busy}>
        {props.button}
      </button>
    </form>
    <FormError message={props.errors.form()} />
  </>
)
