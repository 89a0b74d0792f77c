import { createSignal, Show, type Component } from 'solid-js'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { FormError } from '../FormError'
import { AVATAR_COLOURS, suggestDeviceName } from './avatar-choices'
import { profileFrom, ProfileFields } from './ProfileFields'
import { RestoreIdentity } from './RestoreIdentity'

/** The first run: a name and colour, then one button; or restoring an identity from elsewhere. */
export const Onboarding: Component<{ onCreated: () => void }> = (props) => {
  const identity = useClient().identity
  const [name, setName] = createSignal('')
  const [colour, setColour] = createSignal<string>(AVATAR_COLOURS[0])
  const [emoji, setEmoji] = createSignal('')
  const [restoring, setRestoring] = createSignal(false)
  const create = createAction(async () => {
    const profile = profileFrom(name(), colour(), emoji())
    if (!profile.ok) return profile
    const { created } = await identity.create(profile.value, suggestDeviceName(navigator.userAgent))
    // Only the tab that made the identity offers its recovery phrase; one that adopted another tab's does not.
    if (created) props.onCreated()
    return undefined
  })

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
        <form
          class="form"
          onSubmit={(event) => {
            event.preventDefault()
            void create.run()
          }}
        >
          <ProfileFields
            name={name()}
            colour={colour()}
            emoji={emoji()}
            onName={setName}
            onColour={setColour}
            onEmoji={setEmoji}
          />
          <FormError message={create.error()} />
          <div class="actions">
            <button type="submit" class="button primary" disabled={create.busy()}>
              {create.busy() ? 'Creating your identity…' : 'Create my identity'}
            </button>
            <button
              type="button"
              class="button link"
              onClick={() => {
                setRestoring(true)
              }}
            >
              I already have an identity
            </button>
          </div>
        </form>
      </Show>
    </section>
  )
}
