import { systemClock } from '../../base'
import { can, type Space, type SpaceId } from '../../echo'
import { verifyPeerDevice, type HaloIdentity, type PublicKey } from '../../halo'
import type { AuthenticatedPeer, Refused } from '../../mesh'
import type { MeshIdentity } from './mesh-service'

/** The DeviceRevoked credentials HALO holds for `device`: the evidence a refused device can verify itself. */
const revocationsOf = (halo: HaloIdentity, device: PublicKey): unknown[] =>
  halo.credentials
    .get()
    .filter((credential) => credential.assertion.kind === 'DeviceRevoked' && credential.subject === device)

/**
 * HALO's identity as the mesh asks it: chains verified by `verifyPeerDevice` with HALO's and the space's
 * revocations; the personal space admits the identity's own devices not revoked, another space a current
 * member (by its fold) whose device neither the space nor HALO holds revoked. A member writes by the policy's
 * `can(role, 'write')`; in the personal space, or one not open here, only the identity itself.
 */
/**
 * Spaces being joined by invitation (not here yet), with the identities the host's proved log lets write: the
 * peers the space is fetched from.
 */
export type InvitedSpaces = ReadonlyMap<string, ReadonlySet<string>>

export const meshIdentityOf = (
  halo: HaloIdentity,
  spaceOf: (spaceId: SpaceId) => Space | undefined,
  invited: InvitedSpaces = new Map(),
  /** ECHO's opening of a space it follows: one just adopted is open there a moment before `spaceOf` has it. */
  opening: (spaceId: SpaceId) => Promise<Space | undefined> = () => Promise.resolve(undefined),
): MeshIdentity => {
  const revokedHere = (spaceId: SpaceId, identity: PublicKey, device: PublicKey): boolean =>
    (identity === halo.identityKey && halo.isRevoked(device)) || spaceOf(spaceId)?.isDeviceRevoked(device) === true
  const refusal = (peer: AuthenticatedPeer, spaceId: SpaceId): Refused | undefined => {
    if (peer.identity === null) return { code: 'wrong-role' }
    if (revokedHere(spaceId, peer.identity, peer.device)) {
      return { code: 'revoked', evidence: revocationsOf(halo, peer.device) }
    }
    const space = spaceOf(spaceId)
    // A space not here yet: our own devices (a linked device fetching its personal space, or a space another of
    // our devices joined), and for a space we are joining by invitation, the writers of the log its host proved.
    // Nobody else: what a peer sends for a root not here yet passes unscreened (there is no log to screen it by),
    // and a viewer or a removed member can hold the room's secret. The root we adopt must name us a member, and
    // once it is here the fold decides again (a re-check on every change).
    if (space === undefined) {
      const mine = peer.identity === halo.identityKey || invited.get(spaceId)?.has(peer.identity) === true
      return mine ? undefined : { code: 'not-member' }
    }
    if (space.personal) return peer.identity === halo.identityKey ? undefined : { code: 'not-member' }
    if (space.roleOf(peer.identity) !== undefined) return undefined
    // A removed member is shown its removal, which its own fold verifies: so it learns who removed it, and when.
    const removal = space.removalOf(peer.identity)
    return removal === undefined ? { code: 'not-member' } : { code: 'not-member', evidence: [removal] }
  }
  return {
    identityKey: halo.identityKey,
    deviceKey: halo.deviceKey,
    chain: halo.chain,
    signBytes: (bytes) => halo.signBytes(bytes),
    verifyChain: async (spaceId, chain, device) => {
      const verified = await verifyPeerDevice(chain, device, {
        clock: systemClock,
        isRevoked: (identity, key) => revokedHere(spaceId, identity, key),
      })
      if (verified.ok) return { ok: true, value: { identity: verified.value.identity } }
      return {
        ok: false,
        error:
          verified.error.reason === 'revoked'
            ? { code: 'revoked', evidence: revocationsOf(halo, device) }
            : { code: 'bad-chain' },
      }
    },
    admits: (spaceId, peer) => refusal(peer, spaceId),
    mayWrite: async (spaceId, identity) => {
      if (identity === null) return false
      // Asked only about a document ECHO follows. A change a member sends while its space, just adopted, is not
      // here yet is judged by the log: dropped, it would be lost, since the sender counts it as delivered.
      const space = spaceOf(spaceId) ?? (await opening(spaceId))
      if (space === undefined || space.personal) return identity === halo.identityKey
      return can(space.roleOf(identity), 'write')
    },
  }
}
