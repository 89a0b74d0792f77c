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
    list.push({ credential, through: [...new Set(signingDevices(credential))] })
    against.set(credential.subject, list)
  }
  // A worklist instead of rounds over every device: deciding a device re-examines only the revocations signed
  // through it, so the whole resolution is linear in the size of the chains (rounds were quadratic on a chain).
  const stands = new Set<PublicKey>()
  const out = new Set<PublicKey>()
  const dependents = new Map<PublicKey, Revocation[]>()
  /** Per revocation: how many of its devices do not stand yet (it counts at 0). */
  const unsettled = new Map<Revocation, number>()
  /** Per device: how many of its revocations are not yet made through a revoked device (it stands at 0). */
  const live = new Map<PublicKey, number>()
  const withdrawn = new Set<Revocation>()
  const decided: PublicKey[] = []
  const decide = (device: PublicKey, into: Set<PublicKey>) => {
    if (stands.has(device) || out.has(device)) return
    into.add(device)
    decided.push(device)
  }
  for (const [device, revocations] of against) {
    live.set(device, revocations.length)
    for (const revocation of revocations) {
      // A device no revocation names stands from the start.
      const pending = revocation.through.filter((via) => against.has(via))
      unsettled.set(revocation, pending.length)
      for (const via of pending) {
        const list = dependents.get(via) ?? []
        list.push(revocation)
        dependents.set(via, list)
      }
      if (pending.length === 0) decide(device, out)
    }
  }
  for (let next = decided.pop(); next !== undefined; next = decided.pop()) {
    const standing = stands.has(next)
    for (const revocation of dependents.get(next) ?? []) {
      const subject = revocation.credential.subject
      if (standing) {
        const left = (unsettled.get(revocation) ?? 0) - 1
        unsettled.set(revocation, left)
        if (left === 0) decide(subject, out)
      } else if (!withdrawn.has(revocation)) {
        withdrawn.add(revocation)
        const left = (live.get(subject) ?? 0) - 1
        live.set(subject, left)
        if (left === 0) decide(subject, stands)
      }
    }
  }
  const holding = new Map<PublicKey, readonly Credential[]>()
  for (const [device, revocations] of against) {
    if (stands.has(device)) continue
    // Those made through a revoked device are withdrawn; the rest hold it (all of them, for a cycle).
    const held = revocations.filter((revocation) => !withdrawn.has(revocation))
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
