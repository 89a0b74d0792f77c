/** The device on the other end of a connection: is it a device of the identity it claims, and not revoked? */
import type { Clock, Result } from '../../base'
import { err, ok } from '../../base'
import type { Credential } from '../credentials/credential'
import { decodeCredential } from '../credentials/decode'
import type { Rejection } from '../credentials/verify'
import { verifyCredential } from '../credentials/verify'
import type { VerifiedCache } from '../credentials/verified-cache'
import type { IdentityKey, PublicKey } from '../keys/keys'

export interface PeerDeviceContext {
  readonly clock: Clock
  /** Whether `identity` revoked `device`, from what the caller knows (its own identity's set, a space's members...). */
  readonly isRevoked: (identity: PublicKey, device: PublicKey) => boolean
  readonly cache?: VerifiedCache
}

/**
 * Decodes a peer's chain through the one door (its depth and every field bounded), verifies it back to its
 * identity, and checks it authorizes exactly `device`, the key that signed the handshake: a valid chain of
 * another device proves nothing about this one.
 */
export const verifyPeerDevice = (
  chain: unknown,
  device: PublicKey,
  context: PeerDeviceContext,
): Promise<Result<{ identity: IdentityKey; chain: Credential }, Rejection>> => {
  const decoded = decodeCredential(chain)
  if (!decoded.ok) return Promise.resolve(err({ reason: 'malformed', credential: '', detail: decoded.error.message }))
  const credential = decoded.value
  const refuse = (reason: Rejection['reason'], detail: string) =>
    Promise.resolve(err({ reason, credential: credential.id, detail }))
  if (credential.assertion.kind !== 'AuthorizedDevice') {
    return refuse('wrong-kind', `a device chain is AuthorizedDevice, not ${credential.assertion.kind}`)
  }
  if (credential.subject !== device) return refuse('wrong-subject', `the chain authorizes ${credential.subject}`)
  if (context.isRevoked(credential.issuer, device)) return refuse('revoked', `device ${device} is revoked`)
  const verified = verifyCredential(credential, {
    clock: context.clock,
    isRevoked: context.isRevoked,
    ...(context.cache && { cache: context.cache }),
  })
  if (!verified.ok) return Promise.resolve(verified)
  return Promise.resolve(ok({ identity: credential.issuer as IdentityKey, chain: credential }))
}
