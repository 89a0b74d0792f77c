/** Carries an identity's device revocations into the membership logs of its spaces. */
import type { PublicKey } from '../../halo'
import type { Echo } from '../echo'
import type { SpaceId } from '../ids'
import type { Actor } from '../membership/entries'

/**
 * Records, in each space of `actor`'s identity where it is a member, that it
 * revoked `devices`: there too their entries stop counting from the revocation
 * on. A space whose log already holds a revocation that counts is left as is.
 * Returns how many revocations were written.
 */
export const recordDeviceRevocations = async (
  echo: Echo,
  actor: Actor,
  devices: readonly PublicKey[],
): Promise<number> => {
  let written = 0
  if (devices.length === 0) return written
  for (const row of await echo.listSpaces(actor.identity)) {
    if (row.archived === 1) continue
    const opened = await echo.openSpace(row.id as SpaceId)
    if (!opened.ok) continue
    for (const device of devices) {
      const recorded = opened.value.recordDeviceRevocation(actor, device)
      if (recorded.ok && recorded.value !== undefined) written++
    }
  }
  return written
}
