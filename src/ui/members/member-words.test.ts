import { describe, expect, it } from 'vitest'
import { cancelLinksWords, memberName, onlineWords, removalWords } from './member-words'

describe('the Members panel’s words', () => {
  it('says who removed us, by name or else by fingerprint', () => {
    const removal = { by: 'ab', byName: 'Ada', byFingerprint: 'AB12-CD34' }
    expect(removalWords('Garden plans', removal)).toBe('You were removed from Garden plans by Ada')
    expect(removalWords('Garden plans', { ...removal, byName: undefined })).toBe(
      'You were removed from Garden plans by someone with fingerprint AB12-CD34',
    )
  })

  it('offers to cancel one open link or several with a removal, naming who could come back', () => {
    expect(cancelLinksWords(1, 'Bea')).toBe(
      'Also cancel the open invitation link: anyone who has it, Bea too, could join with it',
    )
    expect(cancelLinksWords(2, 'Bea')).toBe(
      'Also cancel the 2 open invitation links: anyone who has one, Bea too, could join with it',
    )
  })

  it('counts devices online, and names a member without a profile by fingerprint', () => {
    expect([0, 1, 3].map(onlineWords)).toEqual(['Not online', 'Online now', 'Online now on 3 devices'])
    expect(memberName({ displayName: undefined, fingerprint: 'AB12-CD34-EF56' })).toBe('Unknown person (AB12-CD34)')
    expect(memberName({ displayName: 'Bo', fingerprint: 'x' })).toBe('Bo')
  })
})
