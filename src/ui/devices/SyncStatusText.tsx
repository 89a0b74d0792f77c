import { Show, untrack, type Component } from 'solid-js'
import type { Observable } from '../../base'
import type { SyncStatus } from '../../client'
import { createObserved } from '../reactive'
import { syncAgo, syncText } from './link-words'
import { createNow } from './now'

/**
 * Sync status in words, for the status bar (overall) or a space (`client.sync.space(id)`). The words
 * are a polite live region, announced when the status changes; the time after them ("5 min ago")
 * ticks outside it, so it is not read out every minute.
 */
export const SyncStatusText: Component<{ status: Observable<SyncStatus> }> = (props) => {
  const status = createObserved(untrack(() => props.status))
  const now = createNow(30_000)
  return (
    <span class="chip" data-state={status().kind} data-testid="sync-status">
      <span class="dot" aria-hidden="true" />
      <span role="status">{syncText(status())}</span>
      <Show when={syncAgo(status(), now())}>{(ago) => <span> {ago()}</span>}</Show>
    </span>
  )
}
