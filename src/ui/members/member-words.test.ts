import { describe, expect, it } from 'vitest'
import { memberName, onlineWords, removalWords } from './member-words'

describe('the Members panel’s words', () => {
  it('says who removed us, by name or else by fingerprint', () => {
    const removal = { by: 'ab', byName: 'Ada', byFingerprint: 'AB12-CD34' }
    expect(removalWords('Garden plans', removal)).toBe('You were removed from Garden plans by Ada')
    expect(removalWords('Garden plans', { ...removal, byName: undefined })).toBe(
      'You were removed from Garden plans by someone with fingerprint AB12-CD34',
    )
  })

  it('counts devices online, and names a member without a profile by fingerprint', () => {
    expect([0, 1, 3].map(onlineWords)).toEqual(['Not online', 'Online now', 'Online now on 3 devices'])
    expect(memberName({ displayName: undefined, fingerprint: 'AB12-CD34-EF56' })).toBe('Unknown person (AB12-CD34)')
    expect(memberName({ displayName: 'Bo', fingerprint: 'x' })).toBe('Bo')
  })
})
