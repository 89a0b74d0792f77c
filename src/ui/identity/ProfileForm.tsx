import { createSignal, untrack, type Component, type JSX } from 'solid-js'
import type { Result } from '../../base'
import type { Profile } from '../../client'
import { createAction } from '../action'
import { useClient } from '../client-context'
import { FormError } from '../FormError'
import { formErrors, submitForm } from '../form-errors'
import { profileFrom, ProfileFields } from './ProfileFields'

/** Name, colour and emoji with a submit button: the first run and profile editing alike. */
export const ProfileForm: Component<{
  /** Where the fields start; later changes come from the person. */
  initial?: Profile
  submitLabel: string
  busyLabel: string
  onSubmit: (profile: Profile) => Promise<Result<unknown, { message: string; field?: string }> | undefined>
  /** Buttons beside the submit button (cancel, another way in). */
  children?: JSX.Element
}> = (props) => {
  const initial = untrack(() => props.initial)
  const [name, setName] = createSignal(initial?.displayName ?? '')
  const [colour, setColour] = createSignal<string>(initial?.avatar.colour ?? useClient().defaultAvatar.colour)
  const [emoji, setEmoji] = createSignal(initial?.avatar.emoji ?? '')
  const submit = createAction(async () => {
    const profile = profileFrom(name(), colour(), emoji())
    return profile.ok ? props.onSubmit(profile.value) : profile
  })
  const errors = formErrors(submit, ['displayName', 'emoji'])
  return (
    <form
      class="form"
      onSubmit={(event) => {
        submitForm(event, () => submit.run())
      }}
    >
      <ProfileFields
        name={name()}
        colour={colour()}
        emoji={emoji()}
        onName={setName}
        onColour={setColour}
        onEmoji={setEmoji}
        errors={errors}
      />
      <FormError message={errors.form()} />
      <div class="actions">
        <button type="submit" class="button primary" disabled={submit.busy()}>
          {submit.busy() ? props.busyLabel : props.submitLabel}
        </button>
        {props.children}
      </div>
    </form>
  )
}
