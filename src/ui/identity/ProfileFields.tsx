import { For, type Component } from 'solid-js'
import type { Profile } from '../../client'
import { AVATAR_COLOURS, AVATAR_COLOUR_NAMES } from './avatar-choices'

const MAX_NAME_LENGTH = 64

/** The profile the fields describe, or why there is none yet. */
export const profileFrom = (
  name: string,
  colour: string,
  emoji: string,
): { ok: true; value: Profile } | { ok: false; error: { message: string } } => {
  const displayName = name.trim()
  if (displayName === '') return { ok: false, error: { message: 'Please enter a name.' } }
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
}> = (props) => (
  <>
    <label class="field">
      <span>Your name</span>
      <input
        name="displayName"
        autocomplete="nickname"
        aria-required="true"
        maxLength={MAX_NAME_LENGTH}
        value={props.name}
        onInput={(event) => {
          props.onName(event.currentTarget.value)
        }}
      />
      <small>Shown to the people you share spaces with.</small>
    </label>
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
    <label class="field">
      <span>Emoji (optional)</span>
      <input
        name="emoji"
        maxLength={8}
        value={props.emoji}
        onInput={(event) => {
          props.onEmoji(event.currentTarget.value)
        }}
      />
    </label>
  </>
)
