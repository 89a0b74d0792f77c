/**
 * Which devices of an identity are revoked, from the DeviceRevoked credentials
 * known. The rule (CONTEXT.md, "Revocation"), in short:
 *
 * - The identity key (the recovery phrase) may revoke any device; that always counts.
 * - A device may revoke any device of its identity, itself included. Its
 *   revocation counts only while every device it signed through stands.
 * - A device stands when every revocation of it was made through a device that
 *   is revoked. A revocation never expires and a device is never un-revoked by
 *   a later credential; only revoking the revoker withdraws a revocation.
 * - Cycles (two devices revoking each other) leave both revoked, until the
 *   identity key revokes one of them; then the other stands again.
 *
 * This is the grounded labelling of argumentation theory: the least fixpoint of
 * monotone steps, so the result depends only on the set, never on its order.
 */
import type { Credential } from '../credentials/credential'
import { MAX_CHAIN_LENGTH } from '../credentials/verify'
import type { PublicKey } from '../keys/keys'

export interface Revocations {
  /** Devices whose signatures stop counting: revoked outright, or caught in a revocation cycle. */
  readonly revoked: ReadonlySet<PublicKey>
  /**
   * For each revoked device, the revocations that hold it revoked: those made by
   * the identity key or through devices that are not revoked outright. ECHO
   * judges a revoked device's entries against their positions in the log.
   */
  readonly holding: ReadonlyMap<PublicKey, readonly Credential[]>
}

/** The devices a credential was signed through, signer first; empty when the issuer signed it itself. */
export const signingDevices = (credential: Credential): PublicKey[] => {
  const devices: PublicKey[] = []
  let link: Credential | undefined = credential
  // The bound only guards against unverified input; verified chains are at most MAX_CHAIN_LENGTH long.
  while (link !== undefined && link.proof.signer !== link.issuer && devices.length <= MAX_CHAIN_LENGTH) {
    devices.push(link.proof.signer)
    link = link.proof.chain
  }
  return devices
}

interface Revocation {
  readonly credential: Credential
  readonly through: readonly PublicKey[]
}

/**
 * Resolves `identity`'s revocations. `credentials` may hold anything; only
 * DeviceRevoked credentials issued by `identity` are read, and each must
 * already have been verified on its own (signature and chain, with no
 * revocations applied).
 */
export const resolveRevocations = (identity: PublicKey, credentials: readonly Credential[]): Revocations => {
  const against = new Map<PublicKey, Revocation[]>()
  for (const credential of credentials) {
    if (credential.assertion.kind !== 'DeviceRevoked' || credential.issuer !== identity) continue
    // The identity key is not a device: nothing revokes it.
    if (credential.subject === identity) continue
    const list = against.get(credential.subject) ?? []
    list.push({ credential, through: signingDevices(credential) })
    against.set(credential.subject, list)
  }
  const stands = new Set<PublicKey>()
  const out = new Set<PublicKey>()
  const standing = (device: PublicKey) => stands.has(device) || !against.has(device)
  for (let changed = true; changed;) {
    changed = false
    for (const [device, revocations] of against) {
      if (stands.has(device) || out.has(device)) continue
      if (revocations.some((revocation) => revocation.through.every(standing))) {
        out.add(device)
        changed = true
      } else if (revocations.every((revocation) => revocation.through.some((via) => out.has(via)))) {
        stands.add(device)
        changed = true
      }
    }
  }
  const holding = new Map<PublicKey, readonly Credential[]>()
  for (const [device, revocations] of against) {
    if (stands.has(device)) continue
    const held = revocations.filter((revocation) => !revocation.through.some((via) => out.has(via)))
    holding.set(
      device,
      held.map((revocation) => revocation.credential),
    )
  }
  return { revoked: new Set(holding.keys()), holding }
}

/** Whether the identity key itself revoked `device`: nothing more can be said about it, nothing brings it back. */
export const revokedByIdentityKey = (
  identity: PublicKey,
  device: PublicKey,
  credentials: readonly Credential[],
): boolean =>
  credentials.some(
    (credential) =>
      credential.assertion.kind === 'DeviceRevoked' &&
      credential.issuer === identity &&
      credential.subject === device &&
      signingDevices(credential).length === 0,
  )
