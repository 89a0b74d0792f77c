import { Match, Switch, type Component } from 'solid-js'
import type { DeviceView } from '../../client'
import { createNow } from './now'
import { agoText } from './relative-time'

/** Whether another device is connected now, or when this one last synced with it. */
export const DeviceSeen: Component<{ device: DeviceView }> = (props) => {
  const now = createNow(30_000)
  return (
    <Switch>
      <Match when={props.device.online === true}>
        <span class="tag online" data-testid="device-seen">
          Online now
        </span>
      </Match>
      <Match when={props.device.lastSeenAt}>
        {(at) => (
          <span class="device-seen" data-testid="device-seen">
            Last seen {agoText(at(), now())}
          </span>
        )}
      </Match>
    </Switch>
  )
}
