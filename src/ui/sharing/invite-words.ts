import type { InviteJoinState, OpenInvitation } from '../../client'

const HOUR = 60 * 60_000
const DAY = 24 * HOUR

/** The expiry choices of the Share panel; a day is the default. */
export const EXPIRY_CHOICES = [
  { label: '1 hour', ms: HOUR },
  { label: '1 day', ms: DAY },
  { label: '7 days', ms: 7 * DAY },
] as const

const ROLE_WORDS: Readonly<Record<string, string>> = {
  owner: 'Owner',
  admin: 'Admin',
  editor: 'Editor',
  viewer: 'Viewer',
}

export const roleText = (role: string): string => ROLE_WORDS[role] ?? role

/** "an editor", "a viewer", "an admin". */
export const roleWithArticle = (role: string): string => {
  const word = roleText(role).toLowerCase()
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`
}

/** How long an invitation still works: minutes under an hour, then hours, then days. */
export const inviteExpiresText = (expiresAt: number, now: number): string => {
  const left = expiresAt - now
  if (left <= 0) return 'Expired'
  if (left < HOUR) return `Expires in ${Math.max(1, Math.ceil(left / 60_000))} min`
  if (left < DAY) {
    const hours = Math.ceil(left / HOUR)
    return hours === 1 ? 'Expires in 1 hour' : `Expires in ${hours} hours`
  }
  const days = Math.ceil(left / DAY)
  return days === 1 ? 'Expires in 1 day' : `Expires in ${days} days`
}

/** "Editor · 1 use left · Expires in 23 hours". */
export const invitationText = (invitation: OpenInvitation, now: number): string => {
  const uses = invitation.usesLeft === 1 ? '1 use left' : `${invitation.usesLeft} uses left`
  return `${roleText(invitation.role)} · ${uses} · ${inviteExpiresText(invitation.expiresAt, now)}`
}

/** The join's progress in words; found is the screen's heading, not a status. */
export const inviteJoinText = (state: InviteJoinState): string => {
  switch (state.kind) {
    case 'looking':
      return 'Looking for someone from the space…'
    case 'unreachable':
      return 'Nobody from the space is online right now; keep this page open and it will join when someone is.'
    case 'found':
      return ''
    case 'joining':
      return `Joining ${state.spaceName}…`
    case 'receiving':
      return `Receiving ${state.spaceName}…`
    case 'joined':
      return 'Joined. Opening the space…'
    case 'refused':
    case 'failed':
      return state.problem.message
  }
}
