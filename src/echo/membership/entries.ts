/** Issuing the credentials that make up a space's membership log. */
import type { Clock } from '../../base'
import type { Credential, CredentialId, KeyPair, PublicKey, Signer, SpaceRole } from '../../halo'
import { issueCredential } from '../../halo'
import type { SpaceId } from '../ids'

/** Who is acting: an identity, and the key (usually a device with its chain) that signs for it. */
export interface Actor {
  readonly identity: PublicKey
  readonly signer: Signer
}

/** The first two entries of a space: genesis signed by the space key, and the creator as owner. */
export const issueGenesis = (spaceKey: KeyPair, owner: PublicKey, clock: Clock): readonly Credential[] => {
  const space = spaceKey.publicKey
  const signer = { key: spaceKey }
  const genesis = issueCredential({
    issuer: space,
    subject: space,
    assertion: { kind: 'SpaceGenesis', owner },
    signer,
    clock,
  })
  const member = issueCredential({
    issuer: space,
    subject: owner,
    assertion: { kind: 'SpaceMember', space, role: 'owner' },
    signer,
    clock,
    parents: [genesis.id],
  })
  return [genesis, member]
}

interface EntryRequest {
  readonly actor: Actor
  readonly space: SpaceId
  readonly parents: readonly CredentialId[]
  readonly clock: Clock
}

const issue = (request: EntryRequest, subject: PublicKey, assertion: Credential['assertion']): Credential =>
  issueCredential({
    issuer: request.actor.identity,
    subject,
    assertion,
    signer: request.actor.signer,
    clock: request.clock,
    parents: request.parents,
  })

export const issueMember = (request: EntryRequest & { subject: PublicKey; role: SpaceRole }): Credential =>
  issue(request, request.subject, { kind: 'SpaceMember', space: spaceKeyOf(request.space), role: request.role })

export const issueRemoval = (request: EntryRequest & { subject: PublicKey }): Credential =>
  issue(request, request.subject, { kind: 'MemberRemoved', space: spaceKeyOf(request.space) })

/**
 * Records in the log that the actor's identity revoked one of its devices. Its
 * parents mark what the revoker had seen: the device's entries among them keep
 * their effect, the others lose it. Signed by the identity key (the phrase) it
 * outranks every device; signed by a device, HALO's rule decides.
 */
export const issueDeviceRevocation = (request: EntryRequest & { device: PublicKey }): Credential =>
  issue(request, request.device, { kind: 'DeviceRevoked' })

export const issueEpoch = (request: EntryRequest & { number: number; snapshot: string }): Credential =>
  issue(request, spaceKeyOf(request.space), {
    kind: 'Epoch',
    space: spaceKeyOf(request.space),
    number: request.number,
    snapshot: request.snapshot,
  })

// A SpaceId is the space's public key; the brand only says which use it is put to.
const spaceKeyOf = (space: SpaceId): PublicKey => space as string as PublicKey
