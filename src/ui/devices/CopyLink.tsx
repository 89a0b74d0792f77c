import { createSignal, Show, type Component } from 'solid-js'

/** Copy link, and Share where the browser has Web Share; what happened is said in a polite status. */
export const CopyLink: Component<{ url: string; title?: string }> = (props) => {
  const [said, setSaid] = createSignal('')
  const copy = async () => {
    setSaid('')
    try {
      await navigator.clipboard.writeText(props.url)
      setSaid('Link copied')
    } catch {
      setSaid('This browser did not let the app copy: select the link and copy it.')
    }
  }
  const share = async () => {
    try {
      await navigator.share({ title: props.title ?? 'Link a device to Commonplace', url: props.url })
    } catch (error) {
      // Closing the share sheet is no failure.
      if (!(error instanceof DOMException && error.name === 'AbortError')) {
        setSaid('This browser could not share the link: copy it instead.')
      }
    }
  }
  return (
    <>
      <div class="actions">
        <button type="button" class="button primary" onClick={() => void copy()}>
          Copy link
        </button>
        <Show when={typeof navigator.share === 'function'}>
          <button type="button" class="button" onClick={() => void share()}>
            Share
          </button>
        </Show>
      </div>
      <p class="copy-state" role="status" data-testid="copy-state">
        {said()}
      </p>
    </>
  )
}
