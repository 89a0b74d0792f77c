import { describe, expect, it } from 'vitest'
import { offlineText } from './offline-text'

describe('offlineText', () => {
  it('says in plain words that a browser without service workers cannot keep the app offline', () => {
    expect(offlineText({ kind: 'unsupported' })).toBe('This browser cannot keep Commonplace for offline use')
  })

  it("shows a failure's words for people, nothing else", () => {
    const message = 'Commonplace could not be saved for offline use this time'
    expect(offlineText({ kind: 'failed', problem: { code: 'offline-copy-failed', message } })).toBe(message)
  })
})
