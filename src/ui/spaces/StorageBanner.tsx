import { Show, type Component } from 'solid-js'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { FormError } from '../FormError'
import { createObserved } from '../reactive'

/** Says, in words, when this device could not save or has lost its spaces. */
export const StorageBanner: Component = () => {
  const spaces = useClient().spaces
  const storage = createObserved(spaces.storage)
  const startAgain = createAction(() => spaces.acknowledgeCleared())
  return (
    <>
      <Show when={storage().quotaExceeded}>
        <div class="banner warning" role="alert">
          <p>
            This device is out of storage space, so your latest changes could not be saved. Everything saved before is
            safe. Free some space (other sites' data, downloads) and keep this page open: saving resumes on its own.
          </p>
        </div>
      </Show>
      <Show when={storage().cleared}>
        <div class="banner warning" role="alert">
          <p>
            Your spaces are no longer in this browser's storage: the browser or a cleanup removed them. Your identity is
            intact. If you have another device or a space file, you can bring them back from there.
          </p>
          <button type="button" class="button" disabled={startAgain.busy()} onClick={() => void startAgain.run()}>
            Start again with an empty personal space
          </button>
          <FormError message={startAgain.error()} />
        </div>
      </Show>
    </>
  )
}
