import { describe, expect, it } from 'vitest'
import { browserWords } from './browser-words'

const denied = new DOMException('The user denied permission to access the database.', 'SecurityError')

describe('browserWords', () => {
  it("gives a DOMException's message, as thrown or wrapped by a library", () => {
    expect(browserWords(denied)).toBe('The user denied permission to access the database.')
    expect(browserWords(new Error('open failed', { cause: denied }))).toBe(denied.message)
    // Dexie's errors keep the browser's under `inner`.
    expect(browserWords(Object.assign(new Error('OpenFailedError'), { inner: denied }))).toBe(denied.message)
  })

  it("gives nothing for the app's own errors", () => {
    expect(browserWords(new TypeError("Cannot read properties of undefined (reading 'open')"))).toBeUndefined()
    expect(browserWords('a string')).toBeUndefined()
    expect(browserWords(undefined)).toBeUndefined()
  })

  it('stops on a cycle of causes', () => {
    const looped: { cause?: unknown } = {}
    looped.cause = looped
    expect(browserWords(looped)).toBeUndefined()
  })
})
