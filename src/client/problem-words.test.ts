import { describe, expect, it } from 'vitest'
import { InvalidSpaceFile, NotAllowed, ObjectNotFound, StorageFailed } from '../echo'
import {
  DeviceNotFound,
  IdentityFileDamaged,
  NotConfirmed,
  NotThisIdentity,
  RecoveryPhraseInvalid,
  UnlockNeeded,
  WouldReplaceIdentity,
  WrongPassword,
} from '../halo'
import { identityProblem, spaceProblem } from './problem-words'

describe('spaceProblem', () => {
  it("keeps the code and never the error's own text (ids, schema issues, the browser's exception)", () => {
    const errors = [
      new ObjectNotFound('obj_7f3a9c'),
      new NotAllowed('did:key:z6Mk is viewer in this space and may not write'),
      new StorageFailed("Failed to execute 'transaction' on 'IDBDatabase': The database connection is closing."),
      new InvalidSpaceFile('not a space file: Invalid key: Expected "documents" but received undefined'),
    ]
    for (const error of errors) {
      const problem = spaceProblem(error)
      expect(problem.code).toBe(error.code)
      expect(problem.message).not.toContain(error.message)
      expect(problem.message).not.toMatch(/obj_|did:key|IDB|undefined/)
    }
    expect(spaceProblem(new ObjectNotFound('obj_7f3a9c')).message).toBe('This item is no longer in this space.')
  })

  it('has words for a code it does not know yet', () => {
    expect(spaceProblem({ code: 'something-new' }).message).toBe(
      'This could not be done. Try again, or reload the page.',
    )
  })
})

describe('identityProblem', () => {
  it('says what to do about a wrong password or a damaged file, without the decoder detail', () => {
    expect(identityProblem(new WrongPassword()).message).toBe(
      'The password does not open this file. Check it and try again.',
    )
    const damaged = identityProblem(new IdentityFileDamaged('Invalid type: Expected string but received 42'))
    expect(damaged).toEqual({
      code: 'identity-file-damaged',
      message: 'This identity file is damaged and cannot be read.',
    })
    expect(identityProblem(new DeviceNotFound('z6MkDevice')).message).not.toContain('z6Mk')
  })

  it('has words of its own for every refusal of a restore or an unlock', () => {
    const fallback = identityProblem({ code: 'something-new' }).message
    for (const error of [
      new UnlockNeeded(),
      new NotThisIdentity('AB12 CD34'),
      new WouldReplaceIdentity('AB12 CD34'),
      new NotConfirmed(),
    ]) {
      const problem = identityProblem(error)
      expect(problem.code).toBe(error.code)
      expect(problem.message).not.toBe(fallback)
      expect(problem.message).not.toContain('AB12')
    }
  })

  it('points at the word of a recovery phrase that is wrong, counting from one', () => {
    expect(
      identityProblem(new RecoveryPhraseInvalid('unknown-word', 'word 3 is not in the word list', 2)).message,
    ).toBe('Word 3 is not a recovery phrase word. Check its spelling.')
    expect(identityProblem(new RecoveryPhraseInvalid('word-count', 'expected 12 words, got 11')).message).toBe(
      'A recovery phrase has 12 words. Check that you entered all of them.',
    )
    expect(identityProblem(new RecoveryPhraseInvalid('checksum', 'the words do not fit together')).message).toBe(
      'These words do not fit together. Check each one for a typo.',
    )
  })

  it('has words for a code it does not know yet', () => {
    expect(identityProblem({ code: 'something-new' }).message).toBe(
      'This did not work, and nothing was changed. Try again, or reload the page.',
    )
  })
})
