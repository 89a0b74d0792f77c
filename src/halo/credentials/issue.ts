import type { Clock } from '../../base'
import { AppError, toHex } from '../../base'
import { illFormedPath } from '../encoding/well-formed'
import type { KeyPair, PublicKey } from '../keys/keys'
import { signWith } from '../keys/keys'
import type { Assertion, Credential, CredentialId } from './credential'
import { credentialIdOf, signedBytes } from './signed-bytes'

/** Who signs: a key acting for itself (no chain) or a device acting for its identity (with its chain). */
export interface Signer {
  readonly key: KeyPair
  /** The AuthorizedDevice credential that lets `key` act for the issuer. */
  readonly chain?: Credential
}

export interface IssueRequest<A extends Assertion> {
  readonly issuer: PublicKey
  readonly subject: PublicKey
  readonly assertion: A
  readonly signer: Signer
  readonly clock: Clock
  readonly expiresAt?: number
  readonly parents?: readonly CredentialId[]
}

/** A string to be signed holds a lone surrogate: peers would store it changed and refuse the credential. */
export class IllFormedText extends AppError<'ill-formed-text'> {
  readonly path: string
  constructor(path: string) {
    super('ill-formed-text', `${path} is not well-formed Unicode (a lone surrogate)`)
    this.path = path
  }
}

/** Signs a credential. Throws `IllFormedText` for a string that is not well-formed Unicode. */
export const issueCredential = <A extends Assertion>(request: IssueRequest<A>): Credential<A> => {
  const unsigned = {
    issuer: request.issuer,
    subject: request.subject,
    assertion: request.assertion,
    issuedAt: request.clock.now(),
    expiresAt: request.expiresAt,
    parents: request.parents ?? [],
    signer: request.signer.key.publicKey,
  }
  const illFormed = illFormedPath(unsigned)
  if (illFormed !== undefined) throw new IllFormedText(illFormed)
  const bytes = signedBytes(unsigned)
  const signature = toHex(signWith(request.signer.key, bytes))
  const chain = request.signer.chain
  return {
    id: credentialIdOf(bytes),
    issuer: unsigned.issuer,
    subject: unsigned.subject,
    assertion: unsigned.assertion,
    issuedAt: unsigned.issuedAt,
    ...(unsigned.expiresAt === undefined ? {} : { expiresAt: unsigned.expiresAt }),
    parents: unsigned.parents,
    proof: { signer: unsigned.signer, signature, ...(chain === undefined ? {} : { chain }) },
  }
}
