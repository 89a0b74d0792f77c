import { createRoot } from 'solid-js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { err } from '../base'
import { createAction, UNEXPECTED_FAILURE } from './action'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('createAction', () => {
  it("shows a refused Result's problem in its own words", async () => {
    const action = createRoot(() => createAction(() => Promise.resolve(err({ message: 'A space needs a name.' }))))
    await action.run()
    expect(action.error()).toBe('A space needs a name.')
  })

  it('keeps the field a refused Result names, and forgets it on the next run', async () => {
    let fail = true
    const action = createRoot(() =>
      createAction(() =>
        Promise.resolve(fail ? err({ message: 'The two passwords differ.', field: 'repeat' }) : undefined),
      ),
    )
    await action.run()
    expect(action.field()).toBe('repeat')
    fail = false
    await action.run()
    expect([action.error(), action.field()]).toEqual([undefined, undefined])
  })

  it('never shows the text of a thrown error; the console gets it', async () => {
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => undefined)
    const bug = new TypeError("Cannot read properties of undefined (reading 'waiting')")
    const action = createRoot(() => createAction(() => Promise.reject(bug)))
    await action.run()
    expect(action.error()).toBe(UNEXPECTED_FAILURE)
    expect(console).toHaveBeenCalledWith('An action failed:', bug)
  })

  it('clears the message on the next run that succeeds', async () => {
    let fail = true
    const action = createRoot(() =>
      createAction(() => Promise.resolve(fail ? err({ message: 'Not now.' }) : undefined)),
    )
    await action.run()
    fail = false
    await action.run()
    expect(action.error()).toBeUndefined()
    expect(action.busy()).toBe(false)
  })
})
