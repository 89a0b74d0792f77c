import { createEffect, createSignal, onCleanup, Show, type Component } from 'solid-js'
import type { Result } from '../../base'
import { FormError } from '../FormError'

export interface Undoable {
  readonly label: string
  readonly undo: () => Promise<Result<void, { message: string }>>
}

/** How long an undo is offered. */
const UNDO_MS = 10_000

/** A short-lived "Deleted … Undo" message, announced politely to screen readers. */
export const UndoToast: Component<{ item: Undoable | undefined; onDone: () => void }> = (props) => {
  const [problem, setProblem] = createSignal<string>()
  createEffect(() => {
    setProblem(undefined)
    if (!props.item) return
    const timer = setTimeout(() => {
      props.onDone()
    }, UNDO_MS)
    onCleanup(() => {
      clearTimeout(timer)
    })
  })
  /** A refused undo keeps the toast open with the problem in words, so the person can try again. */
  const undo = async (item: Undoable) => {
    const result = await item.undo()
    if (result.ok) props.onDone()
    else setProblem(result.error.message)
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
            <FormError message={problem()} />
          </div>
        )}
      </Show>
    </div>
  )
}
