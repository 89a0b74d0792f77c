import type { Component } from 'solid-js'
import type { IdentityView, Profile } from '../../client'
import { useClient } from '../client-context'
import { ProfileForm } from './ProfileForm'

export const EditProfile: Component<{ identity: IdentityView; onDone: () => void }> = (props) => {
  const client = useClient()
  const save = async (profile: Profile) => {
    const saved = await client.identity.updateProfile(profile)
    if (saved.ok) props.onDone()
    return saved
  }
  return (
    <ProfileForm initial={props.identity} submitLabel="Save profile" busyLabel="Saving…" onSubmit={save}>
      <button type="button" class="button link" onClick={() => props.onDone()}>
        Cancel
      </button>
    </ProfileForm>
  )
}
