/** What a space's member list needs besides the space: our own profile, and who is online in its room. */
import { sameData, type Observable } from '../base'
import type { Credential } from '../halo'
import type { MeshStatus } from '../mesh'
import type { Profile } from './identity-api'
import type { MemberSources } from './space-members'

/** `source` seen through `map`; listeners hear every change of `source`. */
const mapped = <A, B>(source: Observable<A>, map: (value: A) => B): Observable<B> => ({
  get: () => map(source.get()),
  subscribe: (listener) => source.subscribe((value) => listener(map(value))),
})

/**
 * `source` seen through `map`; a listener hears a change only when the mapped value is not `same` as the last one
 * it heard. The mesh's status changes every second while a space arrives (its last synced time), and each change
 * made every member list work out its profiles again (verifying their credentials): 2.6% of a linked phone's busy
 * time while a 10,000-object space arrived (`npm run bench sync`, a CPU profile), for the same devices online.
 */
const mappedWhenChanged = <A, B>(
  source: Observable<A>,
  map: (value: A) => B,
  same: (a: B, b: B) => boolean,
): Observable<B> => ({
  get: () => map(source.get()),
  subscribe: (listener) => {
    let last = map(source.get())
    return source.subscribe((value) => {
      const next = map(value)
      if (same(next, last)) return
      last = next
      listener(next)
    })
  },
})

/** The identity's latest Profile credential among its own (later issuedAt wins, then the larger id). */
const ownProfileCredential = (identity: string, credentials: readonly Credential[]): Credential | undefined => {
  let latest: Credential | undefined
  for (const credential of credentials) {
    if (credential.issuer !== identity || credential.assertion.kind !== 'Profile') continue
    const newer =
      latest === undefined ||
      credential.issuedAt > latest.issuedAt ||
      (credential.issuedAt === latest.issuedAt && credential.id > latest.id)
    if (newer) latest = credential
  }
  return latest
}

const profileOf = (credential: Credential | undefined): Profile | undefined =>
  credential?.assertion.kind === 'Profile'
    ? { displayName: credential.assertion.displayName, avatar: credential.assertion.avatar }
    : undefined

/** The devices connected in `spaceId`'s room now, by the identity each proved (the leader's status). */
const onlineIn = (status: MeshStatus, spaceId: string): ReadonlyMap<string, readonly string[]> => {
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
  profile: mapped(credentials, (all) => profileOf(ownProfileCredential(identity, all))),
  profileCredential: mapped(credentials, (all) => ownProfileCredential(identity, all)),
  online: mappedWhenChanged(
    status,
    (now) => onlineIn(now, spaceId),
    (a, b) => sameData([...a], [...b]),
  ),
})
