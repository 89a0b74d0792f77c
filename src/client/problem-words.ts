/**
 * The words a person reads when an action is refused, chosen by the failure's stable `code`. An
 * error's own message is written for logs and often names internals (ids, schema issues, the
 * browser's exception text), so it never becomes a problem's message.
 */
import { MIN_PASSWORD_LENGTH, RECOVERY_PHRASE_WORDS, RecoveryPhraseInvalid } from '../halo'
import type { IdentityProblem } from './identity-api'
import type { SpaceProblem } from './spaces-api'

const spaceWords: Readonly<Record<string, string>> = {
  'storage-quota-exceeded':
    'This device is out of storage space, so this change was not saved. Everything saved before is safe.',
  'storage-failed': "The browser's storage failed, so this change was not saved. Reload the page and try again.",
  'document-corrupt': 'Part of this space is damaged on this device and cannot be opened.',
  'not-allowed': 'Your role in this space does not allow this.',
  'space-not-found': 'This space is not on this device.',
  'object-not-found': 'This item is no longer in this space.',
  'invalid-fields': 'This cannot be saved as it is; check what you entered and try again.',
  'invalid-space-file': 'This file is not a Commonplace space file, or it is damaged. Nothing was imported.',
  'space-file-too-large': 'This file is too large to import. Nothing was imported.',
  'note-text-not-in-space': 'The text of this note is not part of this space, so it cannot be opened.',
}

const SPACE_FALLBACK = 'This could not be done. Try again, or reload the page.'

/** A refused space action, in words for people. */
export const spaceProblem = (error: { readonly code: string }): SpaceProblem => ({
  code: error.code,
  message: spaceWords[error.code] ?? SPACE_FALLBACK,
})

const identityWords: Readonly<Record<string, string>> = {
  'weak-password': `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`,
  'wrong-password': 'The password does not open this file. Check it and try again.',
  'identity-file-damaged': 'This identity file is damaged and cannot be read.',
  'identity-file-unsupported': 'This is not an identity file Commonplace can read.',
  'identity-exists': 'This browser already holds an identity.',
  'identity-damaged': 'The identity stored in this browser cannot be opened.',
  'invalid-input': 'Something you entered is not valid. Check it and try again.',
  'device-not-found': 'That device is not one of your devices.',
  'cannot-revoke-this-device': 'A device cannot revoke itself: revoke it from another of your devices.',
  'identity-unlock-needed': 'This needs your recovery phrase: this device does not keep your identity secret.',
  'not-this-identity': 'This recovery phrase belongs to another identity. Check each word.',
  'would-replace-identity':
    'This browser still holds the secret of another identity, and restoring would delete it. Check your words: a typo can name another identity.',
  'restore-not-confirmed': 'What you entered changed after you confirmed it. Check it and confirm again.',
  'ill-formed-text': 'Something you entered has characters that cannot be saved. Retype it and try again.',
}

const IDENTITY_FALLBACK = 'This did not work, and nothing was changed. Try again, or reload the page.'

const phraseWords = (error: RecoveryPhraseInvalid): string => {
  switch (error.problem) {
    case 'word-count':
      return `A recovery phrase has ${RECOVERY_PHRASE_WORDS} words. Check that you entered all of them.`
    case 'unknown-word':
      return error.wordIndex === undefined
        ? 'A word is not a recovery phrase word. Check the spelling.'
        : `Word ${error.wordIndex + 1} is not a recovery phrase word. Check its spelling.`
    case 'checksum':
      return 'These words do not fit together. Check each one for a typo.'
  }
}

/** A refused identity action (restore, import, export, revoke), in words for people. */
export const identityProblem = (error: { readonly code: string }): IdentityProblem => ({
  code: error.code,
  message:
    error instanceof RecoveryPhraseInvalid ? phraseWords(error) : (identityWords[error.code] ?? IDENTITY_FALLBACK),
})
