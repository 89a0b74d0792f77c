import { createEffect, createSignal, onCleanup, type Accessor } from 'solid-js'
import { createStore, reconcile } from 'solid-js/store'
import type { LiveList, Problem } from '../client'

/**
 * Follows a live list that depends on reactive inputs (a search, a space): when
 * they change, the old list is closed and a new one opened. The previous
 * results stay on screen until the new ones arrive, so typing does not flicker.
 *
 * Every emission of the client maps fresh view objects; they are reconciled by
 * `id` into one store, so an item keeps its identity (and `<For>` its row, with
 * focus and state) while its fields change or it moves. Rows read fields reactively.
 *
 * `problem` says why the list could not be read, so a screen can say it instead of loading forever.
 */
export const createLiveList = <T extends { readonly id: string }>(
  open: () => LiveList<T> | undefined,
): Accessor<readonly T[] | undefined> & { readonly problem: Accessor<Problem | undefined> } => {
  const [state, setState] = createStore<{ items: T[] | undefined }>({ items: undefined })
  const [problem, setProblem] = createSignal<Problem | undefined>()
  const show = (next: readonly T[]) => {
    setState('items', reconcile([...next], { key: 'id', merge: false }))
  }
  createEffect(() => {
    const list = open()
    if (!list) return
    const now = list.get()
    if (now !== undefined) show(now)
    setProblem(list.problem.get())
    const stop = list.subscribe((next) => {
      if (next !== undefined) show(next)
    })
    const stopProblem = list.problem.subscribe((next) => setProblem(next))
    onCleanup(() => {
      stop()
      stopProblem()
      list.close()
    })
  })
  function items(): readonly T[] | undefined {
    return state.items
  }
  items.problem = problem
  return items
}
