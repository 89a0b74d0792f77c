import type { Clock, Result } from '../../base'
import { err, fromHex, ok } from '../../base'
import { NotCanonical } from '../encoding/canonical-json'
import { verifySignature } from '../keys/ed25519'
import type { PublicKey } from '../keys/keys'
import { parsePublicKey } from '../keys/keys'
import type { Credential, CredentialId } from './credential'
import { credentialIdOf, signedBytes } from './signed-bytes'
import type { VerifiedCache } from './verified-cache'

/** Why a credential was refused. Stable codes: callers and peers switch on them. */
export type RejectionReason =
  | 'malformed'
  | 'invalid-key'
  | 'id-mismatch'
  | 'bad-signature'
  | 'missing-chain'
  | 'unexpected-chain'
  | 'wrong-kind'
  | 'broken-chain'
  | 'foreign-chain'
  | 'cyclic-chain'
  | 'chain-too-long'
  | 'expired'
  | 'not-yet-valid'
  | 'revoked'
  | 'unknown-parent'
  /** A device chain that authorizes another device than the one presenting it. */
  | 'wrong-subject'

export interface Rejection {
  readonly reason: RejectionReason
  /** The credential in the chain that failed (the outer one or one of its links). */
  readonly credential: string
  readonly detail: string
}

/** Clocks of two devices disagree a little; expiry and issue times get this much slack. */
export const DEFAULT_CLOCK_SKEW_MS = 2 * 60 * 1000
/** A device may authorize a device may authorize a device...; deeper than this is refused. */
export const MAX_CHAIN_LENGTH = 16

export interface VerifyContext {
  readonly clock: Clock
  readonly skewMs?: number
  /** Whether `identity` has revoked `device` (from its DeviceRevoked credentials). */
  readonly isRevoked?: (identity: PublicKey, device: PublicKey) => boolean
  /** Whether a credential with this id is already known; without it, any parent is unknown. */
  readonly hasCredential?: (id: CredentialId) => boolean
  /** Skips the signature of links verified before (see VerifiedCache). */
  readonly cache?: VerifiedCache
}

const reject = (credential: Credential, reason: RejectionReason, detail: string): Result<never, Rejection> =>
  err({ reason, credential: credential.id, detail })

/**
 * Checks one credential and its chain back to the issuer: id, signature (strict
 * RFC 8032), times, parents, and that every device in the chain is authorized by
 * the issuer and not revoked. Returns the credential itself when it holds.
 */
export const verifyCredential = <C extends Credential>(credential: C, context: VerifyContext): Result<C, Rejection> => {
  const seen = new Set<string>()
  let link: Credential = credential
  for (let depth = 0; ; depth++) {
    if (depth > MAX_CHAIN_LENGTH) return reject(link, 'chain-too-long', `more than ${MAX_CHAIN_LENGTH} links`)
    const checked = verifyLink(link, context)
    if (!checked.ok) return checked
    const { signer, chain } = link.proof
    if (signer === link.issuer) {
      if (chain !== undefined) return reject(link, 'unexpected-chain', 'the issuer signed and still attached a chain')
      return ok(credential)
    }
    if (chain === undefined) return reject(link, 'missing-chain', `signer ${signer} is not the issuer`)
    if (seen.has(signer)) return reject(link, 'cyclic-chain', `signer ${signer} appears twice in the chain`)
    seen.add(signer)
    if (chain.assertion.kind !== 'AuthorizedDevice') {
      return reject(chain, 'wrong-kind', `a chain link must be AuthorizedDevice, not ${chain.assertion.kind}`)
    }
    if (chain.issuer !== link.issuer) return reject(chain, 'foreign-chain', `the chain is of identity ${chain.issuer}`)
    if (chain.subject !== signer) return reject(chain, 'broken-chain', `the chain authorizes ${chain.subject}`)
    if (context.isRevoked?.(link.issuer, signer) === true) return reject(link, 'revoked', `device ${signer} is revoked`)
    link = chain
  }
}

/** The checks on one credential alone, without following its chain. */
const verifyLink = (link: Credential, context: VerifyContext): Result<Credential, Rejection> => {
  let bytes: Uint8Array
  try {
    bytes = signedBytes({ ...link, signer: link.proof.signer })
  } catch (error) {
    if (error instanceof NotCanonical) return reject(link, 'malformed', error.message)
    throw error
  }
  if (credentialIdOf(bytes) !== link.id) return reject(link, 'id-mismatch', 'the id is not the hash of the content')
  if (context.cache?.has(link.id, link.proof.signature) !== true) {
    if (parsePublicKey(link.subject) === undefined)
      return reject(link, 'invalid-key', 'the subject is not a usable key')
    const signature = fromHex(link.proof.signature)
    const signer = fromHex(link.proof.signer)
    // verifySignature refuses non-canonical and small-order signer keys itself.
    if (signature === undefined || signer === undefined || !verifySignature(signature, bytes, signer)) {
      return reject(link, 'bad-signature', `not signed by ${link.proof.signer}`)
    }
    context.cache?.add(link.id, link.proof.signature)
  }
  const now = context.clock.now()
  const skew = context.skewMs ?? DEFAULT_CLOCK_SKEW_MS
  if (link.expiresAt !== undefined && now > link.expiresAt + skew)
    return reject(link, 'expired', `at ${link.expiresAt}`)
  if (link.issuedAt > now + skew) return reject(link, 'not-yet-valid', `issued in the future, at ${link.issuedAt}`)
  const unknown = link.parents.find((parent) => context.hasCredential?.(parent) !== true)
  if (unknown !== undefined) return reject(link, 'unknown-parent', `parent ${unknown} is not known`)
  return ok(link)
}
