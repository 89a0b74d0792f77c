import { createEffect, onCleanup, Show, type Component } from 'solid-js'
import type { Result } from '../../base'

export interface Undoable {
  readonly label: string
  readonly undo: () => Promise<Result<void, { message: string }>>
}

/** How long an undo is offered. */
const UNDO_MS = 10_000

/** A short-lived "Deleted … Undo" message, announced politely to screen readers. */
export const UndoToast: Component<{ item: Undoable | undefined; onDone: () => void }> = (props) => {
  createEffect(() => {
    if (!props.item) return
    const timer = setTimeout(() => {
      props.onDone()
    }, UNDO_MS)
    onCleanup(() => {
      clearTimeout(timer)
    })
  })
  const undo = async (item: Undoable) => {
    await item.undo()
    props.onDone()
  }
  return (
    <div class="toast-region" role="status" aria-live="polite">
      <Show when={props.item}>
        {(item) => (
          <div class="toast">
            <span>{item().label}</span>
            <button type="button" class="button small" onClick={() => void undo(item())}>
              Undo
            </button>
          </div>
        )}
      </Show>
    </div>
  )
}
