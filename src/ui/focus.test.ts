import { describe, expect, it } from 'vitest'
import { focusIfLost } from './focus'

/** A page with a body, one other control and the main region, as far as focus goes. */
const page = (focused: 'body' | 'control' | 'none') => {
  const body = {}
  const control = {}
  const document = { body, activeElement: focused === 'body' ? body : focused === 'control' ? control : null }
  let focusedMain = 0
  const main = {
    ownerDocument: document,
    focus: () => {
      focusedMain++
    },
  } as unknown as HTMLElement
  return { main, focusedMain: () => focusedMain }
}

describe('focusIfLost', () => {
  it('gives focus to the main region when the page itself holds it, or nothing does', () => {
    for (const focused of ['body', 'none'] as const) {
      const { main, focusedMain } = page(focused)
      focusIfLost(main)
      expect(focusedMain(), focused).toBe(1)
    }
  })

  it('leaves focus on a control that still has it', () => {
    const { main, focusedMain } = page('control')
    focusIfLost(main)
    expect(focusedMain()).toBe(0)
  })
})
