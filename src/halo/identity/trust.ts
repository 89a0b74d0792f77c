import type { Clock, Result } from '../../base'
import type { Credential, CredentialId } from '../credentials/credential'
import { copyKey } from '../credentials/copy-key'
import { decodeCredential } from '../credentials/decode'
import type { Rejection } from '../credentials/verify'
import { verifyCredential } from '../credentials/verify'
import type { VerifiedCache } from '../credentials/verified-cache'
import type { PublicKey } from '../keys/keys'
import { resolveRevocations, signingDevices } from './revocations'

export interface TrustedSet {
  /**
   * The credentials that decode and verify, revocations applied, plus every
   * revocation of one of the identity's devices that verifies on its own:
   * whether one counts can change when its signer is revoked, so all of them
   * are kept and synced, except those signed through a device the identity key
   * revoked (they can never count again). Each copy (id and proof) once.
   */
  readonly accepted: readonly Credential[]
  /** Devices revoked under the rule of `resolveRevocations`. */
  readonly revoked: ReadonlySet<string>
}

const isRevocationBy = (identity: PublicKey, credential: Credential): boolean =>
  credential.assertion.kind === 'DeviceRevoked' && credential.issuer === identity

/**
 * The credentials issued by one identity that hold, from whatever was stored or
 * received. Revocations are verified on their own and resolved by the rule of
 * `resolveRevocations` (a revoked device's revocations stop counting; the
 * identity key always wins); then every credential is verified with the result
 * applied. A revoked device's signatures stop counting, including ones it made
 * before it was revoked (a stolen device can backdate).
 */
export const trustedSet = (
  identity: PublicKey,
  values: readonly unknown[],
  clock: Clock,
  cache?: VerifiedCache,
): TrustedSet => {
  const decoded = values.flatMap((value) => {
    const result = decodeCredential(value)
    return result.ok ? [result.value] : []
  })
  const known = new Set<string>(decoded.map((credential) => credential.id))
  const hasCredential = (id: CredentialId) => known.has(id)
  const onItsOwn = (credential: Credential) =>
    verifyCredential(credential, { clock, hasCredential, ...(cache && { cache }) }).ok
  // A revocation can only ever count against a device of this identity: one whose authorization verifies.
  const devices = new Set<PublicKey>(
    decoded
      .filter((credential) => credential.issuer === identity && credential.assertion.kind === 'AuthorizedDevice')
      .filter(onItsOwn)
      .map((credential) => credential.subject),
  )
  const verifiedRevocations = decoded
    .filter((credential) => isRevocationBy(identity, credential) && devices.has(credential.subject))
    .filter(onItsOwn)
  // Nothing withdraws the identity key's revocations: what was signed through a device it revoked never counts again.
  const dead = new Set(
    verifiedRevocations.filter((credential) => signingDevices(credential).length === 0).map((each) => each.subject),
  )
  const evidence = new Set(
    verifiedRevocations.filter((credential) => !signingDevices(credential).some((device) => dead.has(device))),
  )
  const { revoked } = resolveRevocations(identity, [...evidence])
  const verify = verifyWith(identity, revoked, clock, known, cache)
  // One of each copy: what is held and what arrives overlap (every sync of the personal space hands back the whole
  // set), and copies kept would pile up with each arrival and go out again in every welcome. Copies of one id with
  // other proofs are all kept: the id does not cover the proof, so a device may sign the same content through
  // another chain (a thief's), and which copy still holds depends on revocations yet to come.
  const seen = new Set<string>()
  const accepted = decoded.filter((credential) => {
    const copy = copyKey(credential)
    if (seen.has(copy) || credential.issuer !== identity) return false
    const holds = isRevocationBy(identity, credential) ? evidence.has(credential) : verify(credential).ok
    if (holds) seen.add(copy)
    return holds
  })
  return { accepted, revoked }
}

/** A verifier that applies `identity`'s revocations. */
export const verifyWith =
  (
    identity: PublicKey,
    revoked: ReadonlySet<string>,
    clock: Clock,
    known: ReadonlySet<string>,
    cache?: VerifiedCache,
  ) =>
  (credential: Credential): Result<Credential, Rejection> =>
    verifyCredential(credential, {
      clock,
      hasCredential: (id) => known.has(id),
      isRevoked: (issuer, device) => issuer === identity && revoked.has(device),
      ...(cache && { cache }),
    })
