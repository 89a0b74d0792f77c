import type { SettingsProblem } from '../../client'

/** The boxes of the connection form, each a field a problem can be drawn on. */
export type DraftField = 'signalUrls' | 'publicRelays' | 'stunUrls' | 'turnUrl' | 'turnUsername' | 'turnCredential'

/**
 * The box a settings problem belongs in. The settings name `signalUrls`, `publicRelays` or an entry
 * of `iceServers`; the form sends the STUN servers first (when there are any), then the TURN server.
 * Undefined for a problem with no box of its own, shown for the form as a whole.
 */
export const draftFieldOf = (
  problem: SettingsProblem,
  draft: { readonly stunUrls: string; readonly turnUsername: string },
): DraftField | undefined => {
  if (problem.field === 'signalUrls' || problem.field === 'publicRelays') return problem.field
  if (problem.field !== 'iceServers' || problem.index === undefined || problem.index < 0) return undefined
  const hasStun = draft.stunUrls.trim() !== ''
  if (hasStun && problem.index === 0) return 'stunUrls'
  if (problem.code === 'turn-needs-credentials') return draft.turnUsername === '' ? 'turnUsername' : 'turnCredential'
  return 'turnUrl'
}
