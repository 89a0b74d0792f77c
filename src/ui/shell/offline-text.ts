import { assertNever } from '../../base'
import type { AppUpdateState } from '../../client'

/** The status bar's words for whether the app opens without a network. */
export const offlineText = (state: AppUpdateState): string => {
  switch (state.kind) {
    case 'unsupported':
      return 'This browser cannot keep Commonplace for offline use'
    case 'installing':
      return 'Saving Commonplace for offline use…'
    case 'offline-ready':
    case 'update-available':
    case 'updating':
      return 'Works offline'
    case 'failed':
      return state.problem.message
    default:
      return assertNever(state)
  }
}
