import { createEffect, createSignal, onCleanup, type Accessor } from 'solid-js'
import type { LiveList } from '../client'

/**
 * Follows a live list that depends on reactive inputs (a search, a space): when
 * they change, the old list is closed and a new one opened. The previous
 * results stay on screen until the new ones arrive, so typing does not flicker.
 */
export const createLiveList = <T>(open: () => LiveList<T> | undefined): Accessor<readonly T[] | undefined> => {
  const [value, setValue] = createSignal<readonly T[] | undefined>(undefined, { equals: false })
  createEffect(() => {
    const list = open()
    if (!list) return
    const now = list.get()
    if (now !== undefined) setValue(() => now)
    const stop = list.subscribe((next) => {
      if (next !== undefined) setValue(() => next)
    })
    onCleanup(() => {
      stop()
      list.close()
    })
  })
  return value
}
