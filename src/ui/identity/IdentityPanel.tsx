import { createSignal, Show, type Component } from 'solid-js'
import type { IdentityView } from '../../client'
import { LinkDevicePanel } from '../devices/LinkDevicePanel'
import { useDevices } from '../devices/devices-context'
import { Avatar } from './Avatar'
import { DeviceList } from './DeviceList'
import { EditProfile } from './EditProfile'
import { ExportIdentity } from './ExportIdentity'
import { PassphraseUnlock } from './PassphraseUnlock'
import { RecoveryPhraseView } from './RecoveryPhraseView'

/** Who you are here: profile, the fingerprint to compare with others, devices, recovery. */
export const IdentityPanel: Component<{ identity: IdentityView }> = (props) => {
  const [editing, setEditing] = createSignal(false)
  const linking = useDevices()
  return (
    <section class="region identity" aria-labelledby="identity-heading">
      <h2 id="identity-heading">You</h2>
      <Show
        when={!editing()}
        fallback={
          <EditProfile
            identity={props.identity}
            onDone={() => {
              setEditing(false)
            }}
          />
        }
      >
        <div class="profile">
          <Avatar avatar={props.identity.avatar} name={props.identity.displayName} size="large" />
          <div>
            <p class="profile-name" data-testid="display-name">
              {props.identity.displayName}
            </p>
            <p class="fingerprint">
              <span class="label">Fingerprint </span>
              <code data-testid="fingerprint">{props.identity.fingerprint}</code>
            </p>
          </div>
        </div>
        <button
          type="button"
          class="button small"
          onClick={() => {
            setEditing(true)
          }}
        >
          Edit profile
        </button>
      </Show>
      <Show when={linking}>{(ui) => <LinkDevicePanel devices={ui().devices} />}</Show>
      <details>
        <summary>Devices</summary>
        <DeviceList backup={props.identity.backup} />
      </details>
      <details>
        <summary>Recovery phrase</summary>
        <p>These words restore your identity on a new browser. Keep them private.</p>
        <Show when={props.identity.backup === 'linked'}>
          <p>
            This device was linked from another of your devices and does not keep your recovery phrase. Save it on that
            device, or type it here to see it.
          </p>
        </Show>
        <RecoveryPhraseView backup={props.identity.backup} />
      </details>
      <details>
        <summary>Identity file</summary>
        <ExportIdentity backup={props.identity.backup} />
      </details>
      <Show when={props.identity.backup === 'saved' || props.identity.backup === 'locked'}>
        <details>
          <summary>Passphrase on this device</summary>
          <PassphraseUnlock backup={props.identity.backup} />
        </details>
      </Show>
      <details>
        <summary>Identifier</summary>
        <p>
          Your identity as a decentralized identifier. Compare the fingerprint above with someone in person or on a call
          to be sure a space is shared with the right person.
        </p>
        <code class="did" data-testid="did">
          {props.identity.did}
        </code>
      </details>
    </section>
  )
}
