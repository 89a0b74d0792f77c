import { createEffect, onCleanup, type Accessor } from 'solid-js'
import { createStore, reconcile } from 'solid-js/store'
import type { LiveList } from '../client'

/**
 * Follows a live list that depends on reactive inputs (a search, a space): when
 * they change, the old list is closed and a new one opened. The previous
 * results stay on screen until the new ones arrive, so typing does not flicker.
 *
 * Every emission of the client maps fresh view objects; they are reconciled by
 * `id` into one store, so an item keeps its identity (and `<For>` its row, with
 * focus and state) while its fields change or it moves. Rows read fields reactively.
 */
export const createLiveList = <T extends { readonly id: string }>(
  open: () => LiveList<T> | undefined,
): Accessor<readonly T[] | undefined> => {
  const [state, setState] = createStore<{ items: T[] | undefined }>({ items: undefined })
  const show = (next: readonly T[]) => {
    setState('items', reconcile([...next], { key: 'id', merge: false }))
  }
  createEffect(() => {
    const list = open()
    if (!list) return
    const now = list.get()
    if (now !== undefined) show(now)
    const stop = list.subscribe((next) => {
      if (next !== undefined) show(next)
    })
    onCleanup(() => {
      stop()
      list.close()
    })
  })
  return () => state.items
}
