import { describe, expect, it } from 'vitest'
import type { PersonHere } from '../../client'
import { noteHereWords, personName } from './presence-words'

const person = (displayName: string | undefined, me = false): PersonHere => ({
  identity: 'ab'.repeat(32),
  displayName,
  avatar: undefined,
  me,
  fingerprint: 'ABCD-EFGH-IJKL',
  devices: 1,
})

describe('presence words', () => {
  it('names one, two or more people in a note', () => {
    expect(noteHereWords([])).toBeUndefined()
    expect(noteHereWords([person('Ada')])).toBe('Ada is here')
    expect(noteHereWords([person('Ada'), person('Ben')])).toBe('Ada and Ben are here')
    expect(noteHereWords([person('Ada'), person('Ben'), person('Cy')])).toBe('Ada, Ben and Cy are here')
  })

  it('says "You" for oneself and names a person without a profile by fingerprint', () => {
    expect(personName(person('Ada', true))).toBe('You')
    expect(personName(person(undefined))).toBe('Unknown person (ABCD-EFGH)')
  })
})
