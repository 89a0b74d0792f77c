import type { Accessor } from 'solid-js'

/** Where a form draws a failure: on the field the problem names, or for the form as a whole. */
export interface FormErrors {
  /** The message to show on `field`, when the failure names it. */
  of: (field: string) => string | undefined
  /** The message no field of this form shows: the failure names no field, or one this form does not have. */
  form: () => string | undefined
}

/**
 * Splits a failure (an action's `error` and `field`) between the fields of a form, named as the
 * client names them (`Problem.field`), and the form itself, so each message is drawn, and
 * announced, exactly once.
 */
export const formErrors = (
  failure: { error: Accessor<string | undefined>; field: Accessor<string | undefined> },
  fields: readonly string[],
): FormErrors => {
  const named = () => {
    const field = failure.field()
    return field !== undefined && fields.includes(field) ? field : undefined
  }
  return {
    of: (field) => (named() === field ? failure.error() : undefined),
    form: () => (named() === undefined ? failure.error() : undefined),
  }
}

/**
 * Handles a form's submit: runs the form's action, then moves focus to the first field it marked
 * invalid, where the field's label, state and error are read out together.
 */
export const submitForm = (
  event: SubmitEvent & { currentTarget: HTMLFormElement },
  run: () => Promise<void> | void,
) => {
  event.preventDefault()
  const form = event.currentTarget
  void Promise.resolve(run()).then(() => {
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
  })
}
