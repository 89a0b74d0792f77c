import { createSignal, For, Show, untrack, type Component } from 'solid-js'
import type { Result } from '../../base'
import type { Problem, SpaceSession, TaskPlace, TaskView } from '../../client'
import { createAction } from '../action'
import { useClient } from '../client-context'
import { Field } from '../Field'
import { FormError } from '../FormError'
import { formErrors, submitForm } from '../form-errors'
import { ListFallback } from '../ListFallback'
import { createLiveList } from '../live'
import { createObserved } from '../reactive'
import { createFocusKeeper } from './focus-keeper'
import { TaskRow } from './TaskRow'
import { UndoToast, type Undoable } from './UndoToast'

/** What a screen reader announces after a move. */
const movedText = (title: string, place: TaskPlace): string =>
  place.moved
    ? `Moved “${title}” to position ${place.position} of ${place.count}.`
    : `“${title}” stays at position ${place.position} of ${place.count}.`

export const TasksPanel: Component<{ space: SpaceSession; search: string }> = (props) => {
  const tasks = createLiveList(() => props.space.tasks(props.search))
  const canWrite = createObserved(untrack(() => props.space.canWrite))
  const { limits } = useClient()
  const [title, setTitle] = createSignal('')
  const [due, setDue] = createSignal('')
  const [note, setNote] = createSignal('')
  const notes = createLiveList(() => props.space.notes(''))
  const [dragged, setDragged] = createSignal<string>()
  const [undoable, setUndoable] = createSignal<Undoable>()
  const add = createAction(async () => {
    const submitted = { title: title(), due: due(), note: note() }
    const created = await props.space.createTask(submitted.title, {
      ...(submitted.due ? { due: submitted.due } : {}),
      ...(submitted.note ? { note: submitted.note } : {}),
    })
    // Clear only what was submitted: anything typed meanwhile is the next task, not lost.
    if (created.ok && title() === submitted.title) setTitle('')
    if (created.ok && due() === submitted.due) setDue('')
    if (created.ok && note() === submitted.note) setNote('')
    return created
  })
  // A blank title is refused by the client on the title field.
  const addErrors = formErrors(add, ['title'])
  const [announcement, setAnnouncement] = createSignal('')
  let listElement: HTMLOListElement | undefined
  // A moved row keeps its element (the list is keyed by id), but moving the node blurs it.
  const focus = createFocusKeeper(() => tasks()?.map((task) => task.id))
  const announced = (title: string, moved: Result<TaskPlace, Problem>) => {
    if (moved.ok) setAnnouncement(movedText(title, moved.value))
    return moved
  }
  const move = createAction(async (task: TaskView, direction: 'up' | 'down') => {
    const active = document.activeElement
    if (active instanceof HTMLElement && listElement?.contains(active) === true) focus.keep(active)
    const title = task.title
    return announced(title, await props.space.moveTask(task.id, direction, { search: props.search }))
  })
  // Alt+↑ pressed three times quickly is three moves: each waits for the one before, none is lost.
  let moves = Promise.resolve()
  const queueMove = (task: TaskView, direction: 'up' | 'down') => {
    moves = moves.then(() => move.run(task, direction))
  }
  const dropOn = createAction(async (target: TaskView) => {
    const id = dragged()
    setDragged(undefined)
    const task = tasks()?.find((candidate) => candidate.id === id)
    if (task === undefined || task.id === target.id) return undefined
    const title = task.title
    return announced(title, await props.space.moveTaskBefore(task.id, target.id, { search: props.search }))
  })
  // Not a `createAction`: a second tick while the first is saving must not be dropped.
  const [toggleError, setToggleError] = createSignal<string>()
  const toggle = async (id: string, done: boolean): Promise<boolean> => {
    const result = await props.space.updateTask(id, { done })
    setToggleError(result.ok ? undefined : result.error.message)
    return result.ok
  }
  const remove = createAction(async (task: TaskView) => {
    const removed = await props.space.remove(task.id)
    if (removed.ok) setUndoable({ label: `Deleted “${task.title}”.`, undo: () => props.space.restore(task.id) })
    return removed
  })
  return (
    <section class="region" aria-labelledby="tasks-heading">
      <h3 id="tasks-heading">Tasks</h3>
      <Show when={canWrite()}>
        <form
          class="task-form"
          onSubmit={(event) => {
            submitForm(event, () => add.run())
          }}
        >
          <Field label="New task" hiddenLabel error={addErrors.of('title')}>
            {(control) => (
              <input
                {...control}
                placeholder="Add a task"
                maxLength={limits.taskTitle}
                value={title()}
                onInput={(event) => {
                  setTitle(event.currentTarget.value)
                }}
              />
            )}
          </Field>
          <label>
            <span class="visually-hidden">Due date (optional)</span>
            <input
              type="date"
              value={due()}
              onInput={(event) => {
                setDue(event.currentTarget.value)
              }}
            />
          </label>
          <label>
            <span class="visually-hidden">Related note (optional)</span>
            <select
              value={note()}
              onChange={(event) => {
                setNote(event.currentTarget.value)
              }}
            >
              <option value="">No related note</option>
              <For each={notes() ?? []}>{(candidate) => <option value={candidate.id}>{candidate.title}</option>}</For>
            </select>
          </label>
          <button type="submit" class="button primary" disabled={add.busy()}>
            Add task
          </button>
        </form>
      </Show>
      <FormError message={addErrors.form() ?? toggleError() ?? move.error() ?? dropOn.error() ?? remove.error()} />
      <Show when={tasks()} fallback={<ListFallback what="tasks" problem={tasks.problem()} />}>
        {(list) => (
          <Show
            when={list().length > 0}
            fallback={<p>{props.search.trim() ? 'No task matches your search.' : 'No tasks yet.'}</p>}
          >
            <ol class="task-list" aria-label="Tasks" ref={(element) => (listElement = element)}>
              <For each={list()}>
                {(task, index) => (
                  <TaskRow
                    task={task}
                    noteTitle={notes()?.find((candidate) => candidate.id === task.note)?.title}
                    space={props.space}
                    canWrite={canWrite()}
                    first={index() === 0}
                    last={index() === list().length - 1}
                    dragging={dragged() === task.id}
                    onMove={(direction) => {
                      queueMove(task, direction)
                    }}
                    onToggle={(done) => toggle(task.id, done)}
                    onDragStart={() => setDragged(task.id)}
                    onDrop={() => void dropOn.run(task)}
                    onRemove={() => void remove.run(task)}
                  />
                )}
              </For>
            </ol>
          </Show>
        )}
      </Show>
      <p class="visually-hidden" role="status" aria-live="polite">
        {announcement()}
      </p>
      <UndoToast item={undoable()} onDone={() => setUndoable(undefined)} />
    </section>
  )
}
