import { createSignal, For, Show, untrack, type Component } from 'solid-js'
import type { SpaceSession } from '../../client'
import { createAction } from '../action'
import { useClient } from '../client-context'
import { CreateForm } from '../Field'
import { formErrors } from '../form-errors'
import { ListFallback } from '../ListFallback'
import { createLiveList } from '../live'
import { createObserved } from '../reactive'
import { hrefOf, navigate } from '../router'

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export const NotesPanel: Component<{ space: SpaceSession; search: string }> = (props) => {
  const notes = createLiveList(() => props.space.notes(props.search))
  const canWrite = createObserved(untrack(() => props.space.canWrite))
  const [title, setTitle] = createSignal('')
  const create = createAction(async () => {
    const submitted = title()
    const created = await props.space.createNote(submitted.trim() || 'Untitled note')
    if (!created.ok) return created
    if (title() === submitted) setTitle('')
    navigate({ view: 'space', spaceId: props.space.id, noteId: created.value })
    return undefined
  })
  return (
    <section class="region" aria-labelledby="notes-heading">
      <h3 id="notes-heading">Notes</h3>
      <Show when={canWrite()}>
        <CreateForm
          label="Title of the new note"
          placeholder="Title of a new note"
          button="New note"
          maxLength={useClient().limits.noteTitle}
          value={title()}
          onValue={setTitle}
          busy={create.busy()}
          onSubmit={() => create.run()}
          field="title"
          errors={formErrors(create, ['title'])}
        />
      </Show>
      <Show when={notes()} fallback={<ListFallback what="notes" problem={notes.problem()} />}>
        {(list) => (
          <Show
            when={list().length > 0}
            fallback={<p>{props.search.trim() ? 'No note matches your search.' : 'No notes yet.'}</p>}
          >
            <ul class="note-list" aria-label="Notes">
              <For each={list()}>
                {(note) => (
                  <li>
                    <a href={hrefOf({ view: 'space', spaceId: props.space.id, noteId: note.id })}>
                      {note.title || 'Untitled note'}
                    </a>
                    <small>{when.format(note.updatedAt)}</small>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
    </section>
  )
}
