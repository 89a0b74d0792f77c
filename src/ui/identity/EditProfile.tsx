import { createSignal, untrack, type Component } from 'solid-js'
import type { IdentityView } from '../../client'
import { useClient } from '../client-context'
import { createAction } from '../action'
import { FormError } from '../FormError'
import { profileFrom, ProfileFields } from './ProfileFields'

export const EditProfile: Component<{ identity: IdentityView; onDone: () => void }> = (props) => {
  const client = useClient()
  // The form starts from the profile as it is when opened; later changes come from the person.
  const initial = untrack(() => props.identity)
  const [name, setName] = createSignal(initial.displayName)
  const [colour, setColour] = createSignal(initial.avatar.colour)
  const [emoji, setEmoji] = createSignal(initial.avatar.emoji ?? '')
  const save = createAction(async () => {
    const profile = profileFrom(name(), colour(), emoji())
    if (!profile.ok) return profile
    await client.identity.updateProfile(profile.value)
    props.onDone()
    return undefined
  })
  return (
    <form
      class="form"
      onSubmit={(event) => {
        event.preventDefault()
        void save.run()
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
      <FormError message={save.error()} />
      <div class="actions">
        <button type="submit" class="button primary" disabled={save.busy()}>
          Save profile
        </button>
        <button type="button" class="button link" onClick={() => props.onDone()}>
          Cancel
        </button>
      </div>
    </form>
  )
}
