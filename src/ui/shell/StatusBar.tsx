import { Show, type Component } from 'solid-js'
import { useClient } from '../client-context'
import { useDevices } from '../devices/devices-context'
import { SyncStatusText } from '../devices/SyncStatusText'
import { createObserved } from '../reactive'
import { offlineText } from './offline-text'

/** Says in plain words whether there is a network and whether the app works without one. */
export const StatusBar: Component = () => {
  const client = useClient()
  const online = createObserved(client.online)
  const update = createObserved(client.appUpdate.state)
  const devices = useDevices()
  return (
    <div class="status" role="group" aria-label="Status">
      <span class="chip" data-state={online() ? 'online' : 'offline'} data-testid="connectivity" role="status">
        <span class="dot" aria-hidden="true" />
        {online() ? 'Online' : 'Offline — your changes are kept on this device'}
      </span>
      <span class="chip" data-state={update().kind} data-testid="offline-readiness" role="status">
        {offlineText(update())}
      </span>
      <Show when={devices}>{(ui) => <SyncStatusText status={ui().sync.overall} />}</Show>
    </div>
  )
}
