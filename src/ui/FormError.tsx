import { For, Match, Switch, type Component } from 'solid-js'

/**
 * A failure, announced to screen readers as it appears (role=alert, and no other live region). On
 * a field it has an `id` the field's `aria-describedby` points at; several messages make a list.
 */
export const FormError: Component<{ message: string | readonly string[] | undefined; id?: string }> = (props) => {
  const messages = (): readonly string[] =>
    props.message === undefined ? [] : typeof props.message === 'string' ? [props.message] : props.message
  return (
    <Switch>
      <Match when={messages().length === 1}>
        <p class="form-error" id={props.id} role="alert">
          {messages()[0]}
        </p>
      </Match>
      <Match when={messages().length > 1}>
        <ul class="form-error" id={props.id} role="alert">
          <For each={messages()}>{(message) => <li>{message}</li>}</For>
        </ul>
      </Match>
    </Switch>
  )
}
