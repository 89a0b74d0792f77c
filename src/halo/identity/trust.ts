import type { Clock, Result } from '../../base'
import type { Credential, CredentialId } from '../credentials/credential'
import { decodeCredential } from '../credentials/decode'
import type { Rejection } from '../credentials/verify'
import { verifyCredential } from '../credentials/verify'
import type { VerifiedCache } from '../credentials/verified-cache'
import type { PublicKey } from '../keys/keys'
import { resolveRevocations } from './revocations'

export interface TrustedSet {
  /**
   * The credentials that decode and verify, revocations applied, plus every
   * revocation that verifies on its own: whether one counts can change when its
   * signer is revoked, so all of them are kept and synced.
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
  const evidence = new Set(
    decoded
      .filter((credential) => isRevocationBy(identity, credential))
      .filter((credential) => verifyCredential(credential, { clock, hasCredential, ...(cache && { cache }) }).ok),
  )
  const { revoked } = resolveRevocations(identity, [...evidence])
  const verify = verifyWith(identity, revoked, clock, known, cache)
  const accepted = decoded.filter(
    (credential) => credential.issuer === identity && (evidence.has(credential) || verify(credential).ok),
  )
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
