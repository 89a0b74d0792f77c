import { createSignal, onCleanup, type Accessor } from 'solid-js'
import type { Observable } from '../base'

/** Follows a client `Observable` as a Solid signal for the life of the calling component. */
export const createObserved = <T>(observable: Observable<T>): Accessor<T> => {
  const [value, setValue] = createSignal<T>(observable.get(), { equals: false })
  onCleanup(observable.subscribe((next) => setValue(() => next)))
  return value
}
