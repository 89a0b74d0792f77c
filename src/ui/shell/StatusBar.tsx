import type { Component } from 'solid-js'
import { assertNever } from '../../base'
import type { AppUpdateState } from '../../client'
import { useClient } from '../client-context'
import { createObserved } from '../reactive'

const offlineText = (state: AppUpdateState): string => {
  switch (state.kind) {
    case 'unsupported':
      return 'This browser cannot keep the app for offline use'
    case 'installing':
      return 'Saving the app for offline use…'
    case 'offline-ready':
    case 'update-available':
    case 'updating':
      return 'Works offline'
    case 'failed':
      return `Offline use is unavailable: ${state.reason}`
    default:
      return assertNever(state)
  }
}

/** Says in plain words whether there is a network and whether the app works without one. */
export const StatusBar: Component = () => {
  const client = useClient()
  const online = createObserved(client.online)
  const update = createObserved(client.appUpdate.state)
  return (
    <div class="status" role="group" aria-label="Status">
      <span class="chip" data-state={online() ? 'online' : 'offline'} data-testid="connectivity" role="status">
        <span class="dot" aria-hidden="true" />
        {online() ? 'Online' : 'Offline — your changes are kept on this device'}
      </span>
      <span class="chip" data-state={update().kind} data-testid="offline-readiness" role="status">
        {offlineText(update())}
      </span>
    </div>
  )
}
