/** Issuing the credentials that make up a space's membership log. */
import type { Clock } from '../../base'
import type { Credential, CredentialId, KeyPair, PublicKey, Signer, SpaceRole } from '../../halo'
import { issueCredential } from '../../halo'
import type { SpaceId } from '../ids'
import { MAX_ENTRY_PARENTS } from './parents'

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

/**
 * Opens an invitation: `key` is the invite key's public half (halo's `invitationKey(K)`), `uses` how many guests
 * it may admit (1 for a single-use link), `until` (unix ms) the last moment a guest may sign its use.
 */
export const issueInvitation = (
  request: EntryRequest & { key: PublicKey; role: SpaceRole; uses: number; until: number },
): Credential =>
  issue(request, request.key, {
    kind: 'DelegatedInvitation',
    space: spaceKeyOf(request.space),
    role: request.role,
    uses: request.uses,
    until: request.until,
  })

/** Closes the invitation of invite key `key`; uses it has not seen lose their effect (cancel wins). */
export const issueInvitationCancel = (request: EntryRequest & { key: PublicKey }): Credential =>
  issue(request, request.key, { kind: 'InvitationCancelled', space: spaceKeyOf(request.space) })

/**
 * The guest's admission, signed by the invite key itself (issuer = I_K, no chain): a SpaceMember for `guest` with
 * the invitation's role, whose parents are the invitation and the host's heads (as `chooseParents` gave them),
 * at most 64 in all.
 */
export const issueInvitationUse = (request: {
  readonly invitationKey: KeyPair
  readonly space: SpaceId
  readonly invitation: CredentialId
  readonly heads: readonly CredentialId[]
  readonly guest: PublicKey
  readonly role: SpaceRole
  readonly clock: Clock
}): Credential => {
  const others = request.heads.filter((head) => head !== request.invitation).slice(0, MAX_ENTRY_PARENTS - 1)
  return issueCredential({
    issuer: request.invitationKey.publicKey,
    subject: request.guest,
    assertion: { kind: 'SpaceMember', space: spaceKeyOf(request.space), role: request.role },
    signer: { key: request.invitationKey },
    clock: request.clock,
    parents: [request.invitation, ...new Set(others)],
  })
}

/**
 * A host's countersignature of a guest's `use` (fold rule 8): the host's own SpaceMember for the same guest and
 * role, naming the use first among its parents (then the host's heads), at most 64 in all. Without it a use admits
 * nobody; the fold judges it by this entry's `issuedAt` (the host's clock) and the host's role.
 */
export const issueCountersign = (request: EntryRequest & { use: Credential }): Credential => {
  const { use } = request
  const role = use.assertion.kind === 'SpaceMember' ? use.assertion.role : 'viewer'
  const others = request.parents.filter((parent) => parent !== use.id).slice(0, MAX_ENTRY_PARENTS - 1)
  return issue({ ...request, parents: [use.id, ...new Set(others)] }, use.subject, {
    kind: 'SpaceMember',
    space: spaceKeyOf(request.space),
    role,
  })
}

// A SpaceId is the space's public key; the brand only says which use it is put to.
const spaceKeyOf = (space: SpaceId): PublicKey => space as string as PublicKey
