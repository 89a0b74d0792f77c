import { createSignal, onCleanup, type Accessor } from 'solid-js'

/**
 * The time for words such as "Expires in 9 min", for the life of the calling component: a reader
 * re-runs every `everyMs`, and reads the clock itself, so words computed when their data changes
 * (a new status) use the time of that change, not of the last tick.
 */
export const createNow = (everyMs: number, clock: () => number = Date.now): Accessor<number> => {
  const [tick, setTick] = createSignal(0)
  const timer = setInterval(() => setTick((count) => count + 1), everyMs)
  onCleanup(() => {
    clearInterval(timer)
  })
  return () => {
    tick()
    return clock()
  }
}
