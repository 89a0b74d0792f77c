import { assertNever } from '../../base'
import type { JoinState, OfferState, SyncStatus } from '../../client'
import { agoText } from './relative-time'

/** A confirmation code grouped by three ("482913" -> "482 913"), so it is read and compared in chunks. */
export const codeText = (code: string): string => code.replace(/\s+/g, '').replace(/(.{3})(?=.)/g, '$1 ')

/** What the device offering a link says in each step (the code and buttons are drawn beside it). */
export const offerText = (state: OfferState): string => {
  switch (state.kind) {
    case 'waiting':
      return 'Open this link on your other device'
    case 'confirm':
      return `Check that your other device shows ${codeText(state.code)}`
    case 'linking':
      return `Linking ${state.deviceName}…`
    case 'linked':
      return `${state.deviceName} is linked`
    case 'denied':
      return 'You denied this device. The link no longer works: make a new one to try again.'
    case 'expired':
      return 'This link has expired: make a new one'
    case 'failed':
      return state.problem.message
    default:
      return assertNever(state)
  }
}

/** What the new device says in each step of joining. */
export const joinText = (state: JoinState): string => {
  switch (state.kind) {
    case 'looking':
      return 'Looking for your other device…'
    case 'unreachable':
      return 'Your other device is not online: keep it open with the app'
    case 'found':
      return 'Connected'
    case 'confirm':
      return `Check that your other device shows ${codeText(state.code)}`
    case 'receiving':
      return `Receiving your spaces: ${state.done} of ${state.total}`
    case 'linked':
      return 'This device is linked'
    case 'denied':
      return 'Your other device denied this link. Nothing was stored here.'
    case 'expired':
      return 'This link has expired: make a new one on your other device'
    case 'used':
      return 'This link was already used: make a new one'
    case 'failed':
      return state.problem.message
    default:
      return assertNever(state)
  }
}

/** The step is over: the screen offers a way on instead of waiting. */
export const joinEnded = (state: JoinState): boolean => ['denied', 'expired', 'used', 'failed'].includes(state.kind)

/** Documents over the mesh's frame cap (16 MiB): Automerge sends a document whole to a device that lacks it. */
const tooLargeText = (count: number): string =>
  count === 1
    ? '1 note or list is too large to send (over 16 MB) and stays on this device only'
    : `${String(count)} notes or lists are too large to send (over 16 MB) and stay on this device only`

/**
 * Sync status in words for the status bar. The time of "Last synced with Phone 5 min ago" is apart
 * (`syncAgo`): the words are announced when the status changes, the time is not, every minute.
 */
export const syncText = (status: SyncStatus): string => {
  switch (status.kind) {
    case 'solo':
      return 'Only on this device'
    case 'offline':
      return 'Offline: changes are kept on this device'
    case 'looking':
      return 'Looking for your other devices…'
    case 'syncing':
      return status.tooLarge === undefined ? 'Syncing…' : `Syncing… ${tooLargeText(status.tooLarge)}`
    case 'up-to-date':
      return status.devices === 1 ? 'Up to date with 1 device' : `Up to date with ${status.devices} devices`
    case 'idle':
      return `Last synced with ${status.deviceName}`
    default:
      return assertNever(status)
  }
}

/** The time that follows `syncText` ("5 min ago"), or undefined where the status has none. */
export const syncAgo = (status: SyncStatus, now: number): string | undefined =>
  status.kind === 'idle' ? agoText(status.at, now) : undefined
