import { describe, expect, it } from 'vitest'
import { dueText } from './due-text'

describe('dueText', () => {
  it('formats a real day in UTC, so the day shown is the day stored', () => {
    const expected = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(
      Date.UTC(2024, 1, 29),
    )
    expect(dueText('2024-02-29')).toBe(expected)
  })

  it('shows a day no browser can read as written instead of throwing', () => {
    for (const day of ['2024-13-01', 'not a day', '']) expect(dueText(day)).toBe(day)
  })
})
