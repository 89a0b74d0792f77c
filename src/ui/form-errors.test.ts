import { createRoot, createSignal } from 'solid-js'
import { describe, expect, it, vi } from 'vitest'
import { formErrors, submitForm } from './form-errors'

const failure = (error: string | undefined, field: string | undefined) =>
  createRoot(() => {
    const [message] = createSignal(error)
    const [named] = createSignal(field)
    return { error: message, field: named }
  })

describe('formErrors', () => {
  it('draws a failure on the field it names, and not again for the form', () => {
    const errors = formErrors(failure('The two passwords differ.', 'repeat'), ['password', 'repeat'])
    expect(errors.of('repeat')).toBe('The two passwords differ.')
    expect(errors.of('password')).toBeUndefined()
    expect(errors.form()).toBeUndefined()
  })

  it('draws a failure that names no field, or a field the form lacks, for the form', () => {
    expect(formErrors(failure('Storage failed.', undefined), ['name']).form()).toBe('Storage failed.')
    const elsewhere = formErrors(failure('Bad title.', 'title'), ['name'])
    expect(elsewhere.form()).toBe('Bad title.')
    expect(elsewhere.of('name')).toBeUndefined()
  })

  it('draws nothing when nothing failed', () => {
    const errors = formErrors(failure(undefined, undefined), ['name'])
    expect([errors.of('name'), errors.form()]).toEqual([undefined, undefined])
  })
})

describe('submitForm', () => {
  it('keeps the page, runs the action, then focuses the first invalid field', async () => {
    const order: string[] = []
    const focus = vi.fn(() => order.push('focus'))
    const querySelector = vi.fn(() => ({ focus }))
    const preventDefault = vi.fn()
    const event = { preventDefault, currentTarget: { querySelector } } as unknown as SubmitEvent & {
      currentTarget: HTMLFormElement
    }
    let finish = (): void => undefined
    const finished = new Promise<void>((resolve) => {
      finish = resolve
    })
    submitForm(event, async () => {
      await finished
      order.push('ran')
    })
    expect(preventDefault).toHaveBeenCalled()
    expect(focus).not.toHaveBeenCalled()
    finish()
    await vi.waitFor(() => {
      expect(order).toEqual(['ran', 'focus'])
    })
    expect(querySelector).toHaveBeenCalledWith('[aria-invalid="true"]')
  })
})
