import { copyKey } from '../credentials/copy-key'
import type { Credential } from '../credentials/credential'
import type { DeviceKey } from '../keys/keys'
import { signingDevices } from './revocations'

/**
 * Which of this device's AuthorizedDevice credentials that hold it signs through. A device of the identity (a
 * thief's) can authorize this device again through its own chain, or put its chain under a copy of this device's
 * own, and give it an id that sorts first; signing through it, this device would be removed, and what it signed
 * void, the moment the thief is revoked. So: the copy it was linked with (`linkedChain`, a copy key) while that holds,
 * else one the identity key signed (no device can), else the first.
 */
export const ownChain = (
  accepted: readonly Credential[],
  device: DeviceKey,
  linkedChain: string | undefined,
): Credential | undefined => {
  const mine = accepted.filter(
    (credential) => credential.assertion.kind === 'AuthorizedDevice' && credential.subject === device,
  )
  return (
    mine.find((credential) => copyKey(credential) === linkedChain) ??
    mine.find((credential) => signingDevices(credential).length === 0) ??
    mine[0]
  )
}
