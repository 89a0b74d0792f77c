import { createEffect, For, onCleanup, Show, type Component } from 'solid-js'
import type { SpaceSession } from '../../client'
import { Avatar } from '../identity/Avatar'
import { createObserved } from '../reactive'
import { noteHereWords } from './presence-words'

const GREY = { colour: '#767676' }

/** Says to the others that this note is open here, and who else has it open: "Ada is here", with avatars. */
export const NoteHere: Component<{ space: SpaceSession; noteId: string }> = (props) => {
  createEffect(() => {
    onCleanup(props.space.opening(props.noteId))
  })
  return (
    <Show when={props.noteId} keyed>
      {(noteId) => {
        const people = createObserved(props.space.openedBy(noteId))
        return (
          <p class="note-here" role="status">
            <Show when={noteHereWords(people())}>
              {(words) => (
                <>
                  <For each={people()}>
                    {(person) => <Avatar avatar={person.avatar ?? GREY} name={person.displayName ?? '?'} />}
                  </For>
                  <span>{words()}</span>
                </>
              )}
            </Show>
          </p>
        )
      }}
    </Show>
  )
}
