import { createSignal, onCleanup, type Accessor } from 'solid-js'

/** The time, ticking every `everyMs` for the life of the calling component (for "Expires in 9 min"). */
export const createNow = (everyMs: number, clock: () => number = Date.now): Accessor<number> => {
  const [now, setNow] = createSignal(clock())
  const timer = setInterval(() => setNow(clock()), everyMs)
  onCleanup(() => {
    clearInterval(timer)
  })
  return now
}
