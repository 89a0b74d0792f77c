/**
 * The words a person reads when an action is refused, chosen by the failure's stable `code`. An
 * error's own message is written for logs and often names internals (ids, schema issues, the
 * browser's exception text), so it never becomes a problem's message.
 */
import { err, type Result } from '../base'
import { MIN_PASSWORD_LENGTH, RECOVERY_PHRASE_WORDS, RecoveryPhraseInvalid } from '../halo'
import { LIMITS } from './limits'

/**
 * Why an action of the client was not done: a stable `code` for programs, a `message` for people,
 * and the `field` of the form it is about, when it is about one.
 */
export interface Problem {
  readonly code: string
  readonly message: string
  readonly field?: string
}

const words: Readonly<Record<string, string>> = {
  // Storage and spaces.
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
  'space-not-all-here':
    'Part of this space has not arrived on this device yet, so it cannot be exported now. Keep the app open until the space says it is up to date, then try again.',
  'note-text-not-in-space': 'The text of this note is not part of this space, so it cannot be opened.',
  'name-required': 'A space needs a name.',
  'name-too-long': `A space name has at most ${LIMITS.spaceName} characters.`,
  'title-required': 'A task needs a title.',
  'title-too-long': `A title has at most ${LIMITS.taskTitle} characters.`,
  aborted: 'This was stopped before it finished.',
  closed: 'Commonplace was closed on this page. Reload the page.',
  // The identity.
  'no-identity': 'Create or restore your identity first.',
  'device-removed':
    'This device was removed from your identity: you can still read what is here, but it can no longer change anything.',
  'display-name-required': 'Your name cannot be empty.',
  'display-name-too-long': `A name has at most ${LIMITS.displayName} characters.`,
  'device-name-required': 'A device needs a name.',
  'device-name-too-long': `A device name has at most ${LIMITS.deviceName} characters.`,
  'emoji-too-long': `An avatar emoji has at most ${LIMITS.avatarEmoji} characters.`,
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
  // Linking a device.
  'malformed-link': 'This is not a whole Commonplace link. Copy it again from your other device.',
  'unsupported-link': 'This link is from a newer version of Commonplace. Update the app on both devices.',
  'wrong-kind': 'This link is for something else: open it from the place it was made for.',
  'link-expired': 'This link has expired: make a new one on your other device.',
  'link-peer-left': 'The other device went away before linking finished. Make a new link and try again.',
  'link-failed': 'The other device did not prove it holds this identity, so nothing was linked.',
  'link-unreadable':
    'The other device sent something this one cannot read, so nothing was linked. Update the app on both devices and make a new link.',
  'link-not-invited': 'This link is not valid any more: make a new one on your other device.',
  'link-needs-sync': 'Sync between your devices has not started on this device yet, so it cannot link another one.',
  'link-not-ready': 'The other device is not connected yet. Wait until it shows up here.',
  'peer-gone': 'The other device went away before this reached it. Try again once it is back.',
  'link-ended': 'The link ended before the other device was linked, so it was not added. Make a new link to try again.',
  'link-ended-remove-device':
    'The link ended just after you allowed the other device. Remove it from your devices, then make a new link.',
  // Invitations to a space.
  'invitation-expired': 'This invitation has expired. Ask the person who sent it for a new link.',
  'invitation-used': 'This invitation has already been used. Ask the person who sent it for a new link.',
  'invitation-cancelled': 'This invitation was cancelled. Ask the person who sent it for a new link.',
  'invitation-unknown': 'This invitation is not known to the space. Ask the person who sent it for a new link.',
  'inviter-cannot-grant':
    'The person who invited you can no longer invite to this space. Ask someone else in it for a new link.',
  'would-downgrade': 'You already have a higher role in this space; the invitation would lower it, so nothing changed.',
  'invitation-refused': 'The space did not accept this invitation. Ask the person who sent it for a new link.',
  'invitation-not-ready': 'Nobody from the space has answered yet. Keep this page open.',
  // Members.
  'not-a-member': 'This person is no longer a member of this space.',
  'last-owner': 'A space always keeps an owner: make someone else an owner first.',
  'last-owner-leave': 'You are the only owner of this space: make someone else an owner before you leave.',
  'ill-formed-text': 'Something you entered has characters that cannot be saved. Retype it and try again.',
}

/** For a code that has no words yet: what every refusal promises. */
const FALLBACK = 'This could not be done, and nothing was changed. Try again, or reload the page.'

/** What a person reads when the app itself failed (a throw, not a refusal): its text means nothing to them. */
export const UNEXPECTED = 'Something went wrong in Commonplace and this was not done. Try again, or reload the page.'

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

/** A problem the client finds itself (a rule of its own), with the form field it is about. */
export const problem = (code: string, field?: string): Problem => ({
  code,
  message: words[code] ?? FALLBACK,
  ...(field === undefined ? {} : { field }),
})

const codeOf = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null) return undefined
  // A full disk or a stopped wait can reach a call as the browser's own exception (localStorage,
  // IndexedDB, or Dexie's copy of it, which keeps the name); a DOMException's numeric `code` means nothing here.
  const { name, code } = error as { readonly name?: unknown; readonly code?: unknown }
  if (name === 'QuotaExceededError') return 'storage-quota-exceeded'
  if (name === 'AbortError') return 'aborted'
  // Dexie's name for a database closed under the call: the client was closed, or the browser closed it.
  if (name === 'DatabaseClosedError') return 'closed'
  return typeof code === 'string' ? code : undefined
}

/**
 * Any failure as a `Problem`: a typed error (a stable `code`) in the words chosen for its code, anything
 * else (a throw the app did not expect) as `unexpected`, its text for the console only.
 */
export const toProblem = (error: unknown, field?: string): Problem => {
  if (error instanceof RecoveryPhraseInvalid) return { code: error.code, message: phraseWords(error), field: 'phrase' }
  const code = codeOf(error)
  // A problem passed on again keeps the field it names.
  const named = (error as { readonly field?: unknown } | undefined)?.field
  if (code !== undefined) return problem(code, field ?? (typeof named === 'string' ? named : undefined))
  console.error('Commonplace failed unexpectedly:', error)
  return { code: 'unexpected', message: UNEXPECTED }
}

/** Runs an action so that it never throws: a throw becomes its `Problem`. */
export const attempt = async <T>(action: () => Promise<Result<T, Problem>>): Promise<Result<T, Problem>> => {
  try {
    return await action()
  } catch (error) {
    return err(toProblem(error))
  }
}

/** A refused `Result` of a lower layer as the action's `Problem`. */
export const outcome = <T>(result: Result<T, unknown>, field?: string): Result<T, Problem> =>
  result.ok ? result : err(toProblem(result.error, field))
