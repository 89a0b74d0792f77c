import { createSignal, Show, type Component } from 'solid-js'
import type { SpaceSession, TaskView } from '../../client'
import { hrefOf } from '../router'
import { dueText } from './due-text'

/** One task: done, title, due date, and moving by keyboard (buttons, Alt+arrows) or by dragging. */
export const TaskRow: Component<{
  task: TaskView
  /** The title of the note the task refers to, when that note is here. */
  noteTitle: string | undefined
  space: SpaceSession
  /** Whether the role allows changing tasks, followed by the panel. */
  canWrite: boolean
  first: boolean
  last: boolean
  dragging: boolean
  onMove: (direction: 'up' | 'down') => void
  /** Saves done or not done; resolves false when the client refused (the panel shows why). */
  onToggle: (done: boolean) => Promise<boolean>
  onDragStart: () => void
  onDrop: () => void
  onRemove: () => void
}> = (props) => {
  // Saves of this box under way: it says so (aria-busy) until the last is stored or refused.
  const [saving, setSaving] = createSignal(0)
  return (
    <li
      class="task"
      classList={{ done: props.task.done, dragging: props.dragging }}
      draggable={props.canWrite}
      onDragStart={(event) => {
        event.dataTransfer?.setData('text/plain', props.task.id)
        props.onDragStart()
      }}
      onDragOver={(event) => {
        event.preventDefault()
      }}
      onDrop={(event) => {
        event.preventDefault()
        props.onDrop()
      }}
      onKeyDown={(event) => {
        if (!event.altKey || !props.canWrite) return
        if (event.key === 'ArrowUp' && !props.first) {
          event.preventDefault()
          props.onMove('up')
        } else if (event.key === 'ArrowDown' && !props.last) {
          event.preventDefault()
          props.onMove('down')
        }
      }}
    >
      <span class="drag-handle" aria-hidden="true">
        ⠿
      </span>
      <label class="task-title">
        <input
          type="checkbox"
          checked={props.task.done}
          disabled={!props.canWrite}
          aria-busy={saving() > 0 ? 'true' : undefined}
          onChange={(event) => {
            const box = event.currentTarget
            // A refused change puts the box back: it shows what is stored, not what was asked for.
            const stored = props.task.done
            setSaving((count) => count + 1)
            void props
              .onToggle(box.checked)
              .then((saved) => {
                if (!saved) box.checked = stored
              })
              .finally(() => setSaving((count) => count - 1))
          }}
        />
        <span>{props.task.title}</span>
      </label>
      <Show when={props.task.note !== undefined && props.noteTitle !== undefined}>
        <a class="task-note" href={hrefOf({ view: 'space', spaceId: props.space.id, noteId: props.task.note ?? '' })}>
          {props.noteTitle}
        </a>
      </Show>
      <Show when={props.task.due}>{(due) => <small class="due">due {dueText(due())}</small>}</Show>
      <Show when={props.canWrite}>
        <span class="task-actions">
          <button
            type="button"
            class="button small"
            disabled={props.first}
            onClick={() => {
              props.onMove('up')
            }}
          >
            ↑<span class="visually-hidden">Move “{props.task.title}” up</span>
          </button>
          <button
            type="button"
            class="button small"
            disabled={props.last}
            onClick={() => {
              props.onMove('down')
            }}
          >
            ↓<span class="visually-hidden">Move “{props.task.title}” down</span>
          </button>
          <button
            type="button"
            class="button small danger"
            onClick={() => {
              props.onRemove()
            }}
          >
            Delete<span class="visually-hidden"> “{props.task.title}”</span>
          </button>
        </span>
      </Show>
    </li>
  )
}
