import { describe, expect, it, vi } from 'vitest'
import { SpaceNotAllHere, StorageFailed } from '../echo'
import { InvalidSpaceFile, NotAllowed, ObjectNotFound } from '../echo/testing/errors'
import { RecoveryPhraseInvalid } from '../halo'
import {
  DeviceNotFound,
  IdentityFileDamaged,
  NotConfirmed,
  NotThisIdentity,
  UnlockNeeded,
  WouldReplaceIdentity,
  WrongPassword,
} from '../halo/testing'
import { attempt, toProblem, UNEXPECTED } from './problem-words'

describe('toProblem of a space refusal', () => {
  it("keeps the code and never the error's own text (ids, schema issues, the browser's exception)", () => {
    const errors = [
      new ObjectNotFound('obj_7f3a9c'),
      new NotAllowed('did:key:z6Mk is viewer in this space and may not write'),
      new StorageFailed("Failed to execute 'transaction' on 'IDBDatabase': The database connection is closing."),
      new InvalidSpaceFile('not a space file: Invalid key: Expected "documents" but received undefined'),
    ]
    for (const error of errors) {
      const problem = toProblem(error)
      expect(problem.code).toBe(error.code)
      expect(problem.message).not.toContain(error.message)
      expect(problem.message).not.toMatch(/obj_|did:key|IDB|undefined/)
    }
    expect(toProblem(new ObjectNotFound('obj_7f3a9c')).message).toBe('This item is no longer in this space.')
  })

  it('says an export waits for the space to arrive, without the count of documents', () => {
    const problem = toProblem(new SpaceNotAllHere(4_988))
    expect(problem.code).toBe('space-not-all-here')
    expect(problem.message).toMatch(/has not arrived on this device yet/)
    expect(problem.message).not.toMatch(/4,?988|documents/)
  })

  it('has words for a code it does not know yet', () => {
    expect(toProblem({ code: 'something-new' }).message).toBe(
      'This could not be done, and nothing was changed. Try again, or reload the page.',
    )
  })
})

describe('toProblem of an identity refusal', () => {
  it('says what to do about a wrong password or a damaged file, without the decoder detail', () => {
    expect(toProblem(new WrongPassword()).message).toBe('The password does not open this file. Check it and try again.')
    const damaged = toProblem(new IdentityFileDamaged('Invalid type: Expected string but received 42'))
    expect(damaged).toEqual({
      code: 'identity-file-damaged',
      message: 'This identity file is damaged and cannot be read.',
    })
    expect(toProblem(new DeviceNotFound('z6MkDevice')).message).not.toContain('z6Mk')
  })

  it('has words of its own for every refusal of a restore or an unlock', () => {
    const fallback = toProblem({ code: 'something-new' }).message
    for (const error of [
      new UnlockNeeded(),
      new NotThisIdentity('AB12 CD34'),
      new WouldReplaceIdentity('AB12 CD34'),
      new NotConfirmed(),
    ]) {
      const problem = toProblem(error)
      expect(problem.code).toBe(error.code)
      expect(problem.message).not.toBe(fallback)
      expect(problem.message).not.toContain('AB12')
    }
  })

  it('points at the word of a recovery phrase that is wrong, counting from one', () => {
    expect(toProblem(new RecoveryPhraseInvalid('unknown-word', 'word 3 is not in the word list', 2)).message).toBe(
      'Word 3 is not a recovery phrase word. Check its spelling.',
    )
    expect(toProblem(new RecoveryPhraseInvalid('word-count', 'expected 12 words, got 11')).message).toBe(
      'A recovery phrase has 12 words. Check that you entered all of them.',
    )
    expect(toProblem(new RecoveryPhraseInvalid('checksum', 'the words do not fit together')).message).toBe(
      'These words do not fit together. Check each one for a typo.',
    )
  })

  it('has words for a code it does not know yet', () => {
    expect(toProblem({ code: 'something-new' }).message).toBe(
      'This could not be done, and nothing was changed. Try again, or reload the page.',
    )
  })
})

describe('toProblem of anything else', () => {
  it("reads the browser's full disk as the storage problem, also when Dexie wraps it", () => {
    expect(toProblem(new DOMException('The quota has been exceeded.', 'QuotaExceededError')).code).toBe(
      'storage-quota-exceeded',
    )
    const dexie = Object.assign(new Error('QuotaExceededError: The quota has been exceeded.'), {
      name: 'QuotaExceededError',
    })
    expect(toProblem(dexie).code).toBe('storage-quota-exceeded')
    expect(toProblem(new DOMException('stopped', 'AbortError')).code).toBe('aborted')
  })

  it('keeps the field a problem names when it is passed on', () => {
    expect(toProblem({ code: 'title-required', field: 'title' })).toEqual({
      code: 'title-required',
      message: 'A task needs a title.',
      field: 'title',
    })
  })

  it('turns a throw the app did not expect into a generic problem, its text for the console only', async () => {
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => undefined)
    const thrown = new TypeError("Cannot read properties of undefined (reading 'doc')")
    const result = await attempt(() => Promise.reject(thrown))
    expect(result).toEqual({ ok: false, error: { code: 'unexpected', message: UNEXPECTED } })
    expect(console).toHaveBeenCalledWith('Commonplace failed unexpectedly:', thrown)
    console.mockRestore()
  })
})
