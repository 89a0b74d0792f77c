import { createResource, createSignal, Match, onCleanup, Show, Switch, type Component } from 'solid-js'
import type { SpaceSession } from '../../client'
import { useClient } from '../client-context'
import { NotesPanel } from '../notes/NotesPanel'
import { NoteEditorPanel } from '../notes/NoteEditorPanel'
import { TasksPanel } from '../tasks/TasksPanel'
import { RemovedNotice } from '../members/RemovedNotice'
import { SpaceHeader } from './SpaceHeader'

/** One space: its name and actions, a search over everything, notes and tasks side by side. */
export const SpaceView: Component<{ spaceId: string; noteId: string | undefined }> = (props) => {
  const spaces = useClient().spaces
  const [opened] = createResource(
    () => props.spaceId,
    async (id) => spaces.open(id),
  )
  let current: SpaceSession | undefined
  onCleanup(() => current?.close())
  const session = () => {
    const result = opened()
    if (!result?.ok) return undefined
    if (current !== result.value) {
      current?.close()
      current = result.value
    }
    return result.value
  }
  const [search, setSearch] = createSignal('')
  return (
    <Switch fallback={<p role="status">Opening the space…</p>}>
      <Match when={opened()?.ok === false}>
        <section class="region" role="alert">
          <h2>This space cannot be opened</h2>
          <p>It is not on this device, or it was removed. Go back to your spaces and pick another.</p>
        </section>
      </Match>
      <Match when={session()}>
        {(space) => (
          <div class="space">
            <SpaceHeader space={space()} />
            <RemovedNotice space={space()} />
            <label class="field search">
              <span>Search notes and tasks</span>
              <input
                type="search"
                value={search()}
                onInput={(event) => {
                  setSearch(event.currentTarget.value)
                }}
              />
            </label>
            <div class="space-columns">
              <Show when={props.noteId} fallback={<NotesPanel space={space()} search={search()} />}>
                {(noteId) => <NoteEditorPanel space={space()} noteId={noteId()} />}
              </Show>
              <TasksPanel space={space()} search={search()} />
            </div>
          </div>
        )}
      </Match>
    </Switch>
  )
}
