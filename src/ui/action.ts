import { createSignal, type Accessor } from 'solid-js'
import type { Result } from '../base'

export interface Action<Args extends unknown[]> {
  run: (...args: Args) => Promise<void>
  busy: Accessor<boolean>
  /** What went wrong the last time, in words for a person; cleared on the next run. */
  error: Accessor<string | undefined>
  /** The field of the form the last failure names, if it names one (`Problem.field`). */
  field: Accessor<string | undefined>
}

/**
 * What a person reads when an action threw instead of returning a problem: a thrown error is a
 * fault of the app, and its text (a stack, a `TypeError`) means nothing to them.
 */
export const UNEXPECTED_FAILURE =
  'Something went wrong in Commonplace and this was not done. Try again, or reload the page.'

/**
 * Wraps an async client call for a form: one run at a time, `busy` while it
 * runs, and the failure in words for a person: a refused `Result` carries a
 * typed problem whose message is written for people; a thrown error goes to the
 * console and the person reads `UNEXPECTED_FAILURE`.
 */
export const createAction = <Args extends unknown[]>(
  perform: (...args: Args) => Promise<Result<unknown, { message: string; field?: string }> | undefined>,
): Action<Args> => {
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<string>()
  const [field, setField] = createSignal<string>()
  const run = async (...args: Args): Promise<void> => {
    if (busy()) return
    setBusy(true)
    setError(undefined)
    setField(undefined)
    try {
      const result = await perform(...args)
      if (result && !result.ok) {
        setField(result.error.field)
        setError(result.error.message)
      }
    } catch (caught) {
      console.error('An action failed:', caught)
      setError(UNEXPECTED_FAILURE)
    } finally {
      setBusy(false)
    }
  }
  return { run, busy, error, field }
}
