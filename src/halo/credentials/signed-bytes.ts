import { sha256 } from '@noble/hashes/sha2.js'
import { toHex } from '../../base'
import { canonicalBytes } from '../encoding/canonical-json'
import type { PublicKey } from '../keys/keys'
import type { Assertion, Credential, CredentialId } from './credential'

/** Names the format inside the signed bytes, so a signature can never be replayed as another kind of message. */
const FORMAT = 'commonplace/credential/v1'

export interface Unsigned {
  readonly issuer: PublicKey
  readonly subject: PublicKey
  readonly assertion: Assertion
  readonly issuedAt: number
  readonly expiresAt?: number | undefined
  readonly parents: readonly string[]
  readonly signer: PublicKey
}

/**
 * The canonical bytes a credential's signature covers: every field except the
 * id, the signature and the chain (a chain proves the signer's authority; it is
 * checked on its own and may be re-attached without changing the credential).
 */
export const signedBytes = (unsigned: Unsigned): Uint8Array =>
  canonicalBytes({
    format: FORMAT,
    issuer: unsigned.issuer,
    subject: unsigned.subject,
    assertion: unsigned.assertion,
    issuedAt: unsigned.issuedAt,
    expiresAt: unsigned.expiresAt,
    parents: unsigned.parents,
    signer: unsigned.signer,
  })

export const credentialIdOf = (bytes: Uint8Array): CredentialId => toHex(sha256(bytes)) as CredentialId

/**
 * Whether a credential's id is the hash of its signed content; no signature is
 * checked. Cheap: a log can be ordered by ids it can trust before the few
 * signatures that matter are verified.
 */
export const idMatchesContent = (credential: Credential): boolean => {
  try {
    return credentialIdOf(signedBytes({ ...credential, signer: credential.proof.signer })) === credential.id
  } catch {
    // Content that has no canonical form has no id either.
    return false
  }
}
