import { Show, untrack, type Component } from 'solid-js'
import type { SpaceSession } from '../../client'
import { createObserved } from '../reactive'
import { removalWords } from './member-words'

/** Said above a space another member removed us from: it stays readable, as it was, and read-only. */
export const RemovedNotice: Component<{ space: SpaceSession }> = (props) => {
  const space = untrack(() => props.space)
  const removal = createObserved(space.removal)
  const name = createObserved(space.name)
  return (
    <Show when={removal()}>
      {(removed) => (
        <p class="region notice" role="status">
          {removalWords(name(), removed())}. You can still read what is here, but no longer change it or see new
          changes.
        </p>
      )}
    </Show>
  )
}
