import type { AssertionOf, Avatar, Credential } from '../credentials/credential'
import type { IdentityKey } from '../keys/keys'

/** What a person is called and how they look, as shown to others. */
export interface Profile {
  readonly displayName: string
  readonly avatar: Avatar
}

/** The identity's latest Profile (later issuedAt wins, then the larger id). */
export const latestProfile = (identity: IdentityKey, credentials: readonly Credential[]): Profile | undefined => {
  let latest: Credential<AssertionOf<'Profile'>> | undefined
  for (const credential of credentials) {
    const { assertion } = credential
    if (credential.issuer !== identity || assertion.kind !== 'Profile') continue
    const candidate = { ...credential, assertion }
    const newer =
      latest === undefined ||
      candidate.issuedAt > latest.issuedAt ||
      (candidate.issuedAt === latest.issuedAt && candidate.id > latest.id)
    if (newer) latest = candidate
  }
  return latest && { displayName: latest.assertion.displayName, avatar: latest.assertion.avatar }
}
