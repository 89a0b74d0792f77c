/** Carries an identity's device revocations into the membership logs of its spaces. */
import type { Credential, PublicKey } from '../../halo'
import type { Echo } from '../echo'
import type { SpaceId } from '../ids'
import type { Actor } from '../membership/entries'

/**
 * Whether `actor`'s device decided this revocation itself: HALO holds the device
 * revoked by the identity key or by this very device. Only then does it sign a
 * revocation of its own with a position in each log. One some other device made
 * is copied as it is instead, so it stops counting once that device is revoked
 * (a thief's device must not get honest devices to repeat its revocations).
 */
const decidedHere = (actor: Actor, evidence: readonly Credential[]): boolean =>
  evidence.some(
    (revocation) =>
      revocation.issuer === actor.identity &&
      (revocation.proof.signer === revocation.issuer || revocation.proof.signer === actor.signer.key.publicKey),
  )

/**
 * Records, in each space of `actor`'s identity where it is a member (not
 * archived), HALO's revocations of these devices, copied as they are; and,
 * for a device the identity key or this device revoked, a revocation signed by
 * this device from the log's heads on: there too the device's entries stop
 * counting from that point. What a log already holds is not written again.
 * Returns how many entries were written.
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
      const place = decidedHere(actor, evidence)
      const recorded = opened.value.recordDeviceRevocation(actor, device, evidence, { place })
      if (recorded.ok) written += recorded.value.length
    }
  }
  return written
}
