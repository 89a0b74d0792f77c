import { Show, type Component } from 'solid-js'
import type { Problem } from '../client'

/** What a list shows before it has items: loading, or, when it could not be read, why in words. */
export const ListFallback: Component<{ what: string; problem: Problem | undefined }> = (props) => (
  <Show when={props.problem} fallback={<p role="status">Loading {props.what}…</p>}>
    {(problem) => (
      <p role="alert" class="form-error">
        These {props.what} could not be read: {problem().message}
      </p>
    )}
  </Show>
)
