import { createSignal, Show, type Component } from 'solid-js'
import type { Profile } from '../../client'
import { useClient } from '../client-context'
import { suggestDeviceName } from './avatar-choices'
import { ProfileForm } from './ProfileForm'
import { RestoreIdentity } from './RestoreIdentity'

/** The first run: a name and colour, then one button; or restoring an identity from elsewhere. */
export const Onboarding: Component<{ onCreated: () => void }> = (props) => {
  const identity = useClient().identity
  const [restoring, setRestoring] = createSignal(false)
  const create = async (profile: Profile) => {
    const result = await identity.create(profile, suggestDeviceName(navigator.userAgent))
    // Only the tab that made the identity offers its recovery phrase; one that adopted another tab's does not.
    if (result.ok && result.value.created) props.onCreated()
    return result
  }
  return (
    <section class="region onboarding" aria-labelledby="onboarding-heading">
      <Show
        when={!restoring()}
        fallback={
          <RestoreIdentity
            onCancel={() => {
              setRestoring(false)
            }}
          />
        }
      >
        <h2 id="onboarding-heading">Create your identity</h2>
        <p>
          It takes a second and stays on this device: a key pair made here, no account and no email. You choose who sees
          your name.
        </p>
        <ProfileForm submitLabel="Create my identity" busyLabel="Creating your identity…" onSubmit={create}>
          <button
            type="button"
            class="button link"
            onClick={() => {
              setRestoring(true)
            }}
          >
            I already have an identity
          </button>
        </ProfileForm>
      </Show>
    </section>
  )
}
