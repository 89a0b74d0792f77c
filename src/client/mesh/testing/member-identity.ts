/** A person's device in a mesh test, as `meshIdentityOf` builds one from HALO's identity, from an ECHO actor. */
import { err, ok, toHex, type Clock } from '../../../base'
import { can, type Actor, type Echo, type Space, type SpaceId } from '../../../echo'
import { decodeCredential, verifyCredential, type IdentityKey } from '../../../halo'
import { signWith } from '../../../halo/testing'
import type { MeshIdentity } from '../mesh-service'

const opened = async (echo: Echo, spaceId: SpaceId): Promise<Space | undefined> => {
  const space = await echo.openSpace(spaceId)
  return space.ok ? space.value : undefined
}

/**
 * Admits members of the spaces it has open, and lets them write by their role. A space not here yet is being
 * adopted from its room (as a guest does after its welcome): anyone proven is admitted for it. As in the client,
 * a write to a space whose adoption is under way waits for `echo` to open it: judged before the
 * space is in `spaces`, a member's changes would be taken out and lost, since the sender counts them delivered.
 */
export const memberIdentity = (actor: Actor, spaces: Map<SpaceId, Space>, clock: Clock, echo: Echo): MeshIdentity => ({
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
  mayWrite: async (spaceId, identity) =>
    identity !== null && can((spaces.get(spaceId) ?? (await opened(echo, spaceId)))?.roleOf(identity), 'write'),
})
