import { For, type Component } from 'solid-js'
import type { Profile } from '../../client'
import { useClient } from '../client-context'
import { Field } from '../Field'
import type { FormErrors } from '../form-errors'
import { AVATAR_COLOURS, AVATAR_COLOUR_NAMES } from './avatar-choices'

/** The profile the fields describe, or why there is none yet. */
export const profileFrom = (
  name: string,
  colour: string,
  emoji: string,
): { ok: true; value: Profile } | { ok: false; error: { message: string; field: string } } => {
  const displayName = name.trim()
  if (displayName === '') return { ok: false, error: { message: 'Please enter a name.', field: 'displayName' } }
  const chosen = emoji.trim()
  return { ok: true, value: { displayName, avatar: chosen === '' ? { colour } : { colour, emoji: chosen } } }
}

/** The name, colour and optional emoji of a profile, shared by onboarding and profile editing. */
export const ProfileFields: Component<{
  name: string
  colour: string
  emoji: string
  onName: (name: string) => void
  onColour: (colour: string) => void
  onEmoji: (emoji: string) => void
  /** Failures on `displayName` and `emoji` are drawn on those fields. */
  errors: FormErrors
}> = (props) => {
  const { limits } = useClient()
  return (
    <>
      <Field label="Your name" hint="Shown to the people you share spaces with." error={props.errors.of('displayName')}>
        {(control) => (
          <input
            {...control}
            name="displayName"
            autocomplete="nickname"
            aria-required="true"
            maxLength={limits.displayName}
            value={props.name}
            onInput={(event) => {
              props.onName(event.currentTarget.value)
            }}
          />
        )}
      </Field>
      <fieldset class="field colours">
        <legend>Colour</legend>
        <For each={AVATAR_COLOURS}>
          {(colour) => (
            <label class="swatch">
              <input
                type="radio"
                name="colour"
                value={colour}
                checked={props.colour === colour}
                onChange={() => {
                  props.onColour(colour)
                }}
              />
              <span class="swatch-colour" style={{ '--swatch': colour }} />
              {AVATAR_COLOUR_NAMES[colour]}
            </label>
          )}
        </For>
      </fieldset>
      <Field label="Emoji (optional)" error={props.errors.of('emoji')}>
        {(control) => (
          <input
            {...control}
            name="emoji"
            maxLength={limits.avatarEmoji}
            value={props.emoji}
            onInput={(event) => {
              props.onEmoji(event.currentTarget.value)
            }}
          />
        )}
      </Field>
    </>
  )
}
