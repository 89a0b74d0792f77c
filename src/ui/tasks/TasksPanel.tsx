import { createSignal, For, Show, type Component } from 'solid-js'
import type { SpaceSession, TaskView } from '../../client'
import { createAction } from '../action'
import { useClient } from '../client-context'
import { FormError } from '../FormError'
import { createLiveList } from '../live'
import { TaskRow } from './TaskRow'
import { UndoToast, type Undoable } from './UndoToast'

/** Where `task` lands when moved by `step` places (-1 up, +1 down): its new neighbours. */
const neighboursAfterMove = (tasks: readonly TaskView[], index: number, step: -1 | 1) => {
  const target = index + step
  if (target < 0 || target >= tasks.length) return undefined
  const rest = tasks.filter((_, i) => i !== index)
  return { after: rest[target - 1]?.id, before: rest[target]?.id }
}

export const TasksPanel: Component<{ space: SpaceSession; search: string }> = (props) => {
  const tasks = createLiveList(() => props.space.tasks(props.search))
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
  const move = createAction(async (id: string, step: -1 | 1) => {
    const list = tasks() ?? []
    const place = neighboursAfterMove(
      list,
      list.findIndex((task) => task.id === id),
      step,
    )
    if (!place) return undefined
    return props.space.moveTask(id, place.after, place.before)
  })
  const dropOn = createAction(async (targetId: string) => {
    const id = dragged()
    setDragged(undefined)
    if (id === undefined || id === targetId) return undefined
    const list = (tasks() ?? []).filter((task) => task.id !== id)
    const index = list.findIndex((task) => task.id === targetId)
    return props.space.moveTask(id, list[index - 1]?.id, targetId)
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
      <Show when={props.space.canWrite}>
        <form
          class="task-form"
          onSubmit={(event) => {
            event.preventDefault()
            void add.run()
          }}
        >
          <label>
            <span class="visually-hidden">New task</span>
            <input
              placeholder="Add a task"
              maxLength={useClient().limits.taskTitle}
              value={title()}
              onInput={(event) => {
                setTitle(event.currentTarget.value)
              }}
            />
          </label>
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
      <FormError message={add.error() ?? toggleError() ?? move.error() ?? dropOn.error() ?? remove.error()} />
      <Show when={tasks()} fallback={<p role="status">Loading tasks…</p>}>
        {(list) => (
          <Show
            when={list().length > 0}
            fallback={<p>{props.search.trim() ? 'No task matches your search.' : 'No tasks yet.'}</p>}
          >
            <ol class="task-list" aria-label="Tasks">
              <For each={list()}>
                {(task, index) => (
                  <TaskRow
                    task={task}
                    noteTitle={notes()?.find((candidate) => candidate.id === task.note)?.title}
                    space={props.space}
                    first={index() === 0}
                    last={index() === list().length - 1}
                    dragging={dragged() === task.id}
                    onMove={(step) => void move.run(task.id, step)}
                    onToggle={(done) => toggle(task.id, done)}
                    onDragStart={() => setDragged(task.id)}
                    onDrop={() => void dropOn.run(task.id)}
                    onRemove={() => void remove.run(task)}
                  />
                )}
              </For>
            </ol>
          </Show>
        )}
      </Show>
      <UndoToast item={undoable()} onDone={() => setUndoable(undefined)} />
    </section>
  )
}
