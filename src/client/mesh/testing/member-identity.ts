/** A person's device in a mesh test, as `meshIdentityOf` builds one from HALO's identity, from an ECHO actor. */
import { err, ok, toHex, type Clock } from '../../../base'
import { can, type Actor, type Space, type SpaceId } from '../../../echo'
import { decodeCredential, verifyCredential, type IdentityKey } from '../../../halo'
import { signWith } from '../../../halo/testing'
import type { MeshIdentity } from '../mesh-service'

/**
 * Admits members of the spaces it has open, and lets them write by their role. A space not here yet is being
 * adopted from its room (as a guest does after its welcome): anyone proven is admitted for it.
 */
export const memberIdentity = (actor: Actor, spaces: Map<SpaceId, Space>, clock: Clock): MeshIdentity => ({
  identityKey: actor.identity as IdentityKey,
  deviceKey: actor.signer.key.publicKey,
  chain: actor.signer.chain,
  signBytes: (bytes) => Promise.resolve(toHex(signWith(actor.signer.key, bytes))),
  verifyChain: (_space, offered, device) => {
    const decoded = decodeCredential(offered)
    if (!decoded.ok || decoded.value.subject !== device) return Promise.resolve(err({ code: 'bad-chain' }))
    const verified = verifyCredential(decoded.value, { clock, isRevoked: () => false })
    return Promise.resolve(
      verified.ok ? ok({ identity: decoded.value.issuer as IdentityKey }) : err({ code: 'bad-chain' }),
    )
  },
  admits: (spaceId, peer) => {
    const space = spaces.get(spaceId)
    if (space === undefined) return undefined
    return peer.identity !== null && space.roleOf(peer.identity) !== undefined ? undefined : { code: 'not-member' }
  },
  mayWrite: (spaceId, identity) => identity !== null && can(spaces.get(spaceId)?.roleOf(identity), 'write'),
})
