import { createSignal, type Accessor } from 'solid-js'
import { describeError, type Result } from '../base'

export interface Action<Args extends unknown[]> {
  run: (...args: Args) => Promise<void>
  busy: Accessor<boolean>
  /** What went wrong the last time, in words for a person; cleared on the next run. */
  error: Accessor<string | undefined>
}

/**
 * Wraps an async client call for a form: one run at a time, `busy` while it
 * runs, and the failure as a message (a refused `Result` or a thrown error).
 */
export const createAction = <Args extends unknown[]>(
  perform: (...args: Args) => Promise<Result<unknown, { message: string }> | undefined>,
): Action<Args> => {
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string>()
  const run = async (...args: Args): Promise<void> => {
    if (busy()) return
    setBusy(true)
    setError(undefined)
    try {
      const result = await perform(...args)
      if (result && !result.ok) setError(result.error.message)
    } catch (caught) {
      setError(describeError(caught))
    } finally {
      setBusy(false)
    }
  }
  return { run, busy, error }
}
