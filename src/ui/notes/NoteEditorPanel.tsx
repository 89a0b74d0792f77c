import { createResource, createSignal, lazy, Show, untrack, type Component } from 'solid-js'
import type { SpaceSession } from '../../client'
import { createAction } from '../action'
import { useClient } from '../client-context'
import { saveFile } from '../download'
import { Field } from '../Field'
import { FormError } from '../FormError'
import { formErrors } from '../form-errors'
import { createLiveList } from '../live'
import { createObserved } from '../reactive'
import { NoteHere } from '../presence/NoteHere'
import { hrefOf, navigate } from '../router'

// CodeMirror loads with the first note opened, not with the app.
const TextEditor = lazy(async () => ({ default: (await import('./TextEditor')).TextEditor }))

/** One note: its title, its collaborative text, Markdown export and delete. */
export const NoteEditorPanel: Component<{ space: SpaceSession; noteId: string }> = (props) => {
  const canWrite = createObserved(untrack(() => props.space.canWrite))
  // Reopened when the role changes: a member promoted to writing gets a writable binding.
  const [editor] = createResource(
    () => ({ id: props.noteId, writable: canWrite() }),
    ({ id }) => props.space.noteEditor(id),
  )
  const notes = createLiveList(() => props.space.notes(''))
  const note = () => notes()?.find((candidate) => candidate.id === props.noteId)
  const [title, setTitle] = createSignal<string>()
  const saveTitle = createAction(async () => {
    const next = title()
    if (next === undefined || next === note()?.title) return undefined
    return props.space.renameNote(props.noteId, next)
  })
  const titleErrors = formErrors(saveTitle, ['title'])
  const exportMarkdown = createAction(async () => {
    const file = await props.space.noteMarkdown(props.noteId)
    if (file.ok) saveFile(file.value)
    return file
  })
  const remove = createAction(async () => {
    const removed = await props.space.remove(props.noteId)
    if (removed.ok) navigate({ view: 'space', spaceId: props.space.id })
    return removed
  })
  return (
    <section class="region note-editor" aria-label="Note">
      <a href={hrefOf({ view: 'space', spaceId: props.space.id })} class="back">
        ← All notes
      </a>
      <NoteHere space={props.space} noteId={props.noteId} />
      <Show when={editor()} fallback={<p role="status">Opening the note…</p>}>
        {(opened) => (
          <Show
            when={opened().ok ? opened() : undefined}
            fallback={<p role="alert">This note cannot be opened: it was deleted or is not on this device.</p>}
          >
            {(ready) => {
              const value = ready()
              return (
                <Show when={value.ok ? value.value : undefined} keyed>
                  {(binding) => (
                    <>
                      <Field label="Title" error={titleErrors.of('title')}>
                        {(control) => (
                          <input
                            {...control}
                            class="note-title"
                            maxLength={useClient().limits.noteTitle}
                            readOnly={!canWrite()}
                            value={title() ?? note()?.title ?? ''}
                            onInput={(event) => {
                              setTitle(event.currentTarget.value)
                            }}
                            onBlur={() => void saveTitle.run()}
                            onKeyDown={(event) => {
                              if (event.key === 'Enter') void saveTitle.run()
                            }}
                          />
                        )}
                      </Field>
                      <TextEditor
                        initialText={binding.initialText}
                        binding={binding.binding}
                        label={binding.readOnly ? 'Note text (read only)' : 'Note text'}
                      />
                    </>
                  )}
                </Show>
              )
            }}
          </Show>
        )}
      </Show>
      <FormError message={titleErrors.form() ?? exportMarkdown.error() ?? remove.error()} />
      <div class="actions">
        <button
          type="button"
          class="button small"
          disabled={exportMarkdown.busy()}
          onClick={() => void exportMarkdown.run()}
        >
          Export as Markdown
        </button>
        <Show when={canWrite()}>
          <button type="button" class="button small danger" disabled={remove.busy()} onClick={() => void remove.run()}>
            Delete note
          </button>
        </Show>
      </div>
    </section>
  )
}
