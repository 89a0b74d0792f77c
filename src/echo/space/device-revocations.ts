/** Carries an identity's device revocations into the membership logs of its spaces. */
import type { Observable } from '../../base'
import type { Credential, PublicKey } from '../../halo'
import { copyKey, resolveRevocations } from '../../halo'
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
 * Records, in each space of `actor`'s identity where it is a member (archived
 * ones too), HALO's revocations of these devices, copied as they are; and,
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

export interface RevocationCarrier {
  /** Resolves once every revocation seen so far has been carried (or its attempt failed). */
  settled(): Promise<void>
  stop(): void
}

/**
 * Follows HALO's credentials and carries every revocation that holds a device
 * of `actor`'s identity (other than `actor`'s own) into its spaces. At the start
 * it carries all of them, since the logs skip what they hold: a write lost when
 * a tab closed is made again, and spaces that arrived since get them. Then it
 * carries each revocation credential new to it, with the others of that device.
 * Known by copy key, not by device, so a later, stronger revocation of a device
 * already recorded (the identity key's) is carried too; and not by id, which
 * does not cover the chain: a thief's device can put a revocation another device
 * signed through itself, and its copy, heard first, would stand for the real one
 * and stop counting once the thief is revoked.
 */
export const carryDeviceRevocations = (
  echo: Echo,
  actor: Actor,
  credentials: Observable<readonly Credential[]>,
): RevocationCarrier => {
  const carried = new Set<string>()
  let queue = Promise.resolve()
  const carry = (values: readonly Credential[]) => {
    const holding = [...resolveRevocations(actor.identity, values).holding].filter(
      ([device]) => device !== actor.signer.key.publicKey,
    )
    const fresh = new Map(holding.filter(([, evidence]) => evidence.some((each) => !carried.has(copyKey(each)))))
    if (fresh.size === 0) return
    queue = queue.then(async () => {
      try {
        await recordDeviceRevocations(echo, actor, fresh)
        for (const evidence of fresh.values()) for (const each of evidence) carried.add(copyKey(each))
      } catch {
        // Not marked as carried: the next change, or the next session, tries again.
      }
    })
  }
  carry(credentials.get())
  const stop = credentials.subscribe(carry)
  return { settled: () => queue, stop }
}
