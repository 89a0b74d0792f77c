// Tests only: waits for an observable to reach a state, without sleeping.
import type { Observable } from '../../base'

export const waitFor = <T>(observable: Observable<T>, done: (value: T) => boolean): Promise<T> =>
  new Promise((resolve) => {
    if (done(observable.get())) {
      resolve(observable.get())
      return
    }
    const stop = observable.subscribe((value) => {
      if (!done(value)) return
      stop()
      resolve(value)
    })
  })
