import { describe, expect, it } from 'vitest'
import { agoText, expiresText } from './relative-time'

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0)
const MIN = 60_000

describe('agoText', () => {
  it('counts minutes, then hours, then days', () => {
    expect(agoText(NOW - 30_000, NOW)).toBe('just now')
    expect(agoText(NOW - MIN, NOW)).toBe('1 min ago')
    expect(agoText(NOW - 5 * MIN - 59_000, NOW)).toBe('5 min ago')
    expect(agoText(NOW - 59 * MIN, NOW)).toBe('59 min ago')
    expect(agoText(NOW - 60 * MIN, NOW)).toBe('1 hour ago')
    expect(agoText(NOW - 23 * 60 * MIN, NOW)).toBe('23 hours ago')
    expect(agoText(NOW - 24 * 60 * MIN, NOW)).toBe('yesterday')
    expect(agoText(NOW - 6 * 24 * 60 * MIN, NOW)).toBe('6 days ago')
  })

  it('names the day after a week', () => {
    const at = NOW - 8 * 24 * 60 * MIN
    expect(agoText(at, NOW)).toBe(`on ${new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(at)}`)
  })

  it('reads a time ahead of this clock as just now, never a negative count', () => {
    expect(agoText(NOW + 10 * MIN, NOW)).toBe('just now')
  })
})

describe('expiresText', () => {
  it('rounds the minutes left up, so a working link never says 0 min', () => {
    expect(expiresText(NOW + 10 * MIN, NOW)).toBe('Expires in 10 min')
    expect(expiresText(NOW + 9 * MIN + 1, NOW)).toBe('Expires in 10 min')
    expect(expiresText(NOW + 9 * MIN, NOW)).toBe('Expires in 9 min')
    expect(expiresText(NOW + MIN, NOW)).toBe('Expires in 1 min')
    expect(expiresText(NOW + MIN - 1, NOW)).toBe('Expires in less than a minute')
  })

  it('says expired from the very moment it is', () => {
    expect(expiresText(NOW, NOW)).toBe('Expired')
    expect(expiresText(NOW - MIN, NOW)).toBe('Expired')
  })
})
