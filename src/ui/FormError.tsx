import { Show, type Component } from 'solid-js'

/** A form's failure, announced to screen readers as it appears. */
export const FormError: Component<{ message: string | undefined }> = (props) => (
  <Show when={props.message}>
    {(message) => (
      <p class="form-error" role="alert">
        {message()}
      </p>
    )}
  </Show>
)
