import { MAX_INVITATION_USES, MIN_PASSWORD_LENGTH } from '../halo'

/**
 * How long what a person types may be, in one place: the client refuses what breaks them and the
 * interface reads them for its fields. Names match what HALO signs (a profile or device name is at
 * most 64 characters in a credential), titles what ECHO's schema keeps.
 */
export const LIMITS = {
  displayName: 64,
  deviceName: 64,
  /** An emoji is a few code points (skin tones, joiners); HALO keeps at most 16 characters. */
  avatarEmoji: 8,
  spaceName: 200,
  taskTitle: 1000,
  noteTitle: 1000,
  /** For an identity file's password and the passphrase that keeps the secret on this device. */
  passwordMin: MIN_PASSWORD_LENGTH,
  /** How many guests one invitation may admit (HALO's DelegatedInvitation). */
  invitationUses: MAX_INVITATION_USES,
} as const

export type Limits = typeof LIMITS

/** The avatar of a profile made without one (a restore that found no profile to keep). */
export const DEFAULT_AVATAR: { readonly colour: string } = { colour: '#2f5d50' }
