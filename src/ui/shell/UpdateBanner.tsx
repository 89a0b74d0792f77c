import { Show, type Component } from 'solid-js'
import { useClient } from '../client-context'
import { createObserved } from '../reactive'

/** Offers a downloaded new version; it only takes over when the person says so. */
export const UpdateBanner: Component = () => {
  const update = useClient().appUpdate
  const state = createObserved(update.state)
  const waiting = () => {
    const kind = state().kind
    return kind === 'update-available' || kind === 'updating'
  }
  return (
    <Show when={waiting()}>
      <div class="banner" role="status" aria-live="polite">
        <p>
          {state().kind === 'updating'
            ? 'Updating… the page will reload in a moment.'
            : 'A new version of Commonplace is ready. Your work is saved; reloading takes a second.'}
        </p>
        <button
          type="button"
          class="button primary"
          disabled={state().kind === 'updating'}
          onClick={() => {
            void update.applyUpdate()
          }}
        >
          Reload to update
        </button>
      </div>
    </Show>
  )
}
