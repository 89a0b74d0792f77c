/** Carries an identity's device revocations into the membership logs of its spaces. */
import type { Credential, PublicKey } from '../../halo'
import type { Echo } from '../echo'
import type { SpaceId } from '../ids'
import type { Actor } from '../membership/entries'

/**
 * Records, in each space of `actor`'s identity where it is a member, that it
 * revoked these devices (each with HALO's revocations of it, copied as
 * evidence): there too their entries stop counting from the revocation on.
 * What a log already holds is not written again. Returns how many entries were
 * written.
 */
export const recordDeviceRevocations = async (
  echo: Echo,
  actor: Actor,
  revoked: ReadonlyMap<PublicKey, readonly Credential[]>,
): Promise<number> => {
  let written = 0
  if (revoked.size === 0) return written
  for (const row of await echo.listSpaces(actor.identity)) {
    if (row.archived === 1) continue
    const opened = await echo.openSpace(row.id as SpaceId)
    if (!opened.ok) continue
    for (const [device, evidence] of revoked) {
      const recorded = opened.value.recordDeviceRevocation(actor, device, evidence)
      if (recorded.ok) written += recorded.value.length
    }
  }
  return written
}
