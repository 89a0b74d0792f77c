import { For, Show, untrack, type Component } from 'solid-js'
import type { SpaceSession } from '../../client'
import { Avatar } from '../identity/Avatar'
import { createObserved } from '../reactive'
import { personName } from './presence-words'

const GREY = { colour: '#767676' }

/**
 * The space header's "Here now": each person's avatar, their name for screen readers (and as a tooltip), or
 * "Only you" when nobody else is here.
 */
export const HereNow: Component<{ space: SpaceSession }> = (props) => {
  const people = createObserved(untrack(() => props.space.presence))
  const others = () => people().filter((person) => !person.me)
  return (
    <div class="here-now" data-testid="here-now">
      <Show when={others().length > 0} fallback={<p class="here-alone">Only you</p>}>
        <ul class="here-list" aria-label="Here now">
          <For each={people()}>
            {(person) => (
              <li class="here-person" title={personName(person)}>
                <Avatar avatar={person.avatar ?? GREY} name={person.displayName ?? '?'} />
                <span class="visually-hidden">{personName(person)}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  )
}
