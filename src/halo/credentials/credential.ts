import type { Brand } from '../../base'
import type { PublicKey } from '../keys/keys'

/** SHA-256 (hex) of a credential's canonical signed bytes. */
export type CredentialId = Brand<string, 'CredentialId'>

export const SPACE_ROLES = ['owner', 'admin', 'editor', 'viewer'] as const
export type SpaceRole = (typeof SPACE_ROLES)[number]

/** The most guests one invitation may admit (the share panel offers a few; the cap bounds a stranger's entry). */
export const MAX_INVITATION_USES = 100

export interface Avatar {
  /** `#rrggbb`. */
  readonly colour: string
  readonly emoji?: string
}

/**
 * What a credential says about its subject. `subject` is always a public key:
 * an identity (SpaceMember, MemberRemoved, Profile), a device (AuthorizedDevice,
 * DeviceName, DeviceRevoked), a space (SpaceGenesis, Epoch) or an invitation key
 * (DelegatedInvitation, InvitationCancelled).
 */
export type Assertion =
  | { readonly kind: 'SpaceGenesis'; readonly owner: PublicKey }
  | { readonly kind: 'SpaceMember'; readonly space: PublicKey; readonly role: SpaceRole }
  | { readonly kind: 'MemberRemoved'; readonly space: PublicKey }
  | { readonly kind: 'AuthorizedDevice' }
  | { readonly kind: 'DeviceName'; readonly name: string }
  | { readonly kind: 'DeviceRevoked' }
  | { readonly kind: 'Epoch'; readonly space: PublicKey; readonly number: number; readonly snapshot: string }
  | {
      readonly kind: 'DelegatedInvitation'
      readonly space: PublicKey
      readonly role: SpaceRole
      /** How many guests it may admit (1..MAX_INVITATION_USES); 1 is a single-use link. */
      readonly uses: number
      /** Unix ms; a use issued after it (plus the fold's fixed skew) is refused. Judged by ECHO's fold, never `expiresAt`. */
      readonly until: number
    }
  | { readonly kind: 'InvitationCancelled'; readonly space: PublicKey }
  | { readonly kind: 'Profile'; readonly displayName: string; readonly avatar: Avatar }

type AssertionKind = Assertion['kind']
export type AssertionOf<K extends AssertionKind> = Extract<Assertion, { kind: K }>

interface Proof {
  /** The key that made `signature`: the issuer itself, or a device of the issuer with `chain`. */
  readonly signer: PublicKey
  /** Ed25519 signature (hex) over the canonical signed bytes. */
  readonly signature: string
  /** The AuthorizedDevice credential (issuer -> signer) when the signer is not the issuer. */
  readonly chain?: Credential
}

/** A signed statement by `issuer` about `subject`. Plain JSON data, so it can be stored and synced as is. */
export interface Credential<A extends Assertion = Assertion> {
  readonly id: CredentialId
  readonly issuer: PublicKey
  readonly subject: PublicKey
  readonly assertion: A
  /** Milliseconds since the Unix epoch, by the signer's clock. */
  readonly issuedAt: number
  readonly expiresAt?: number
  /** Credentials this one follows (the membership log's hash links). */
  readonly parents: readonly CredentialId[]
  readonly proof: Proof
}
