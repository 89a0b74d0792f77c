/** What a space's member list needs besides the space: our own profile, and who is online in its room. */
import type { Observable } from '../base'
import type { Credential } from '../halo'
import type { MeshStatus } from '../mesh'
import type { Profile } from './identity-api'
import type { MemberSources } from './space-members'

/** `source` seen through `map`; listeners hear every change of `source`. */
const mapped = <A, B>(source: Observable<A>, map: (value: A) => B): Observable<B> => ({
  get: () => map(source.get()),
  subscribe: (listener) => source.subscribe((value) => listener(map(value))),
})

/** The identity's latest Profile among its own credentials (later issuedAt wins, then the larger id). */
export const ownProfile = (identity: string, credentials: readonly Credential[]): Profile | undefined => {
  let latest: (Profile & { readonly issuedAt: number; readonly id: string }) | undefined
  for (const credential of credentials) {
    const { assertion } = credential
    if (credential.issuer !== identity || assertion.kind !== 'Profile') continue
    const newer =
      latest === undefined ||
      credential.issuedAt > latest.issuedAt ||
      (credential.issuedAt === latest.issuedAt && credential.id > latest.id)
    if (newer) latest = { ...assertion, issuedAt: credential.issuedAt, id: credential.id }
  }
  return latest && { displayName: latest.displayName, avatar: latest.avatar }
}

/** The devices connected in `spaceId`'s room now, by the identity each proved (the leader's status). */
export const onlineIn = (status: MeshStatus, spaceId: string): ReadonlyMap<string, readonly string[]> => {
  const online = new Map<string, string[]>()
  for (const peer of status.spaces[spaceId]?.peers ?? []) {
    if (peer.identity === undefined) continue
    online.set(peer.identity, [...(online.get(peer.identity) ?? []), peer.device])
  }
  return online
}

export const memberSources = (
  spaceId: string,
  identity: string,
  credentials: Observable<readonly Credential[]>,
  status: Observable<MeshStatus>,
): MemberSources => ({
  profile: mapped(credentials, (all) => ownProfile(identity, all)),
  online: mapped(status, (now) => onlineIn(now, spaceId)),
})
