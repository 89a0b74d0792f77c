/**
 * Invitations in a space's log (fold rule 8, CONTEXT.md "Membership rules"). A DelegatedInvitation by a member
 * who may grant its role opens one. Holding its link secret K admits nobody by itself: a guest's SpaceMember
 * signed by the invite key I_K (a *use*) only binds the guest, the invitation and the role, and waits
 * (`awaiting-host`, no effect, no head). A use counts when a *host* countersigns it: a member who may admit that
 * role where it stands issues its own SpaceMember for the same guest and role with the use among its parents.
 * The countersignature is judged by the host's own `issuedAt` against `until` (the host checks its own clock
 * before it signs), up to `uses` countersignatures in canonical order; an InvitationCancelled closes the
 * invitation and voids every countersignature that is not among its ancestors (cancel wins, as removal wins).
 */
import type { Credential, CredentialId, PublicKey, SpaceRole } from '../../halo'
import type { IgnoreReason } from './canonical-order'
import { can, mayChange, mayGrant, outranks } from './policy'
import type { Reach } from './reach'

/** An invitation as one pass of the fold has it so far. */
export interface InvitationRecord {
  readonly id: CredentialId
  /** The invite key I_K (the delegation's subject; the issuer of its uses). */
  readonly key: PublicKey
  readonly inviter: PublicKey
  readonly role: SpaceRole
  readonly uses: number
  readonly until: number
  /** Applied cancellations, in canonical order. */
  readonly cancels: CredentialId[]
  /** Guests' uses (signed by I_K) that hold and wait for a host's countersignature. */
  readonly pending: CredentialId[]
  /** Uses a countersignature took effect for (each counts once). */
  readonly redeemed: CredentialId[]
  /** Applied countersignatures, in canonical order: the invitation's uses taken. */
  readonly used: CredentialId[]
}

/** What the fold says about an invitation that took effect (`MembershipState.invitations`). */
export interface Invitation {
  /** The DelegatedInvitation's id. */
  readonly id: CredentialId
  readonly key: PublicKey
  readonly inviter: PublicKey
  readonly role: SpaceRole
  readonly uses: number
  readonly usesLeft: number
  /** Unix ms: countersignatures a host issued later than this are refused. */
  readonly until: number
  readonly cancelled: boolean
  /** Whether the inviter may still grant the role (a removed or demoted inviter's invitation admits nobody). */
  readonly inviterMay: boolean
}

export const recordOf = (entry: Credential): InvitationRecord | undefined => {
  const { assertion } = entry
  if (assertion.kind !== 'DelegatedInvitation') return undefined
  const { role, uses, until } = assertion
  const id = entry.id
  return {
    id,
    key: entry.subject,
    inviter: entry.issuer,
    role,
    uses,
    until,
    cancels: [],
    pending: [],
    redeemed: [],
    used: [],
  }
}

export const copyRecord = (record: InvitationRecord): InvitationRecord => ({
  ...record,
  cancels: [...record.cancels],
  pending: [...record.pending],
  redeemed: [...record.redeemed],
  used: [...record.used],
})

/**
 * Whether a cancellation closed the invitation. A removal closes none: its signer picks its parents, so "every use
 * it has not seen" would be whatever the remover (a viewer leaving too) chose to void (review 13, G1).
 */
export const isClosed = (record: InvitationRecord): boolean => record.cancels.length > 0

/** What the invitation rules ask of the pass that runs them (pass.ts). */
export interface InvitationContext {
  readonly reach: Reach
  entry(id: CredentialId): Credential | undefined
  /** The role an entry's issuer holds where the entry stands (undefined: none). */
  authority(entry: Credential): SpaceRole | undefined
  roleOf(key: PublicKey): SpaceRole | undefined
  removalsOf(key: PublicKey): readonly CredentialId[]
  /** The highest role a key held so far (undefined: never a member). */
  heldOf(key: PublicKey): SpaceRole | undefined
  /** Signature, chain and device revocations (undefined: it stands). */
  check(entry: Credential): 'invalid' | 'revoked-device' | undefined
  /** Records the least role an applied entry needed (the cascade's demotions). */
  need(id: CredentialId, from: SpaceRole | undefined, to: SpaceRole, held: SpaceRole | undefined): void
}

const inviterMay = (ctx: InvitationContext, record: InvitationRecord): boolean => {
  const delegation = ctx.entry(record.id)
  const inviter = delegation === undefined ? undefined : ctx.authority(delegation)
  return can(inviter, 'share') && mayChange(inviter, undefined, record.role)
}

/**
 * A SpaceMember signed by an invite key: a guest's use. It never takes effect by itself; one that holds waits
 * for a host (`awaiting-host`, which may be built on: the host's countersignature names it as a parent).
 */
export const judgeUse = (
  ctx: InvitationContext,
  entry: Credential,
  role: SpaceRole,
  record: InvitationRecord,
): IgnoreReason => {
  // Only a use that descends from its invitation and asks its role; the key admits nobody to be itself.
  if (!ctx.reach.descends(entry.id, record.id) || role !== record.role) return 'unauthorized'
  if (entry.subject === entry.issuer) return 'unauthorized'
  if (!inviterMay(ctx, record)) return 'unauthorized'
  const checked = ctx.check(entry)
  if (checked !== undefined) return checked
  record.pending.push(entry.id)
  return 'awaiting-host'
}

/** The use a member's SpaceMember countersigns: a parent that is a held use for the same guest and role. */
export const citedUse = (
  ctx: InvitationContext,
  records: ReadonlyMap<PublicKey, InvitationRecord>,
  entry: Credential,
  role: SpaceRole,
): { readonly use: CredentialId; readonly record: InvitationRecord } | undefined => {
  for (const parent of entry.parents) {
    const use = ctx.entry(parent)
    if (use?.assertion.kind !== 'SpaceMember' || use.subject !== entry.subject || use.assertion.role !== role) continue
    const record = records.get(use.issuer)
    if (record?.pending.includes(parent) === true) return { use: parent, record }
  }
  return undefined
}

/**
 * A host's countersignature of `use`: it admits the guest (the caller grants the role) when undefined is returned.
 * Checks that refuse junk come before the signature; verdicts that only lose a race come after it.
 */
export const judgeCountersign = (
  ctx: InvitationContext,
  entry: Credential,
  role: SpaceRole,
  { use, record }: { readonly use: CredentialId; readonly record: InvitationRecord },
): IgnoreReason | undefined => {
  const from = ctx.roleOf(entry.subject)
  const held = ctx.heldOf(entry.subject)
  // The host must be a member who may admit this role here (one who held a role: as raising it, policy.ts), and the
  // inviter must still be able to grant it.
  const host = ctx.authority(entry)
  if (!can(host, 'share') || !mayGrant(host, from, role, held) || !inviterMay(ctx, record)) return 'unauthorized'
  const checked = ctx.check(entry)
  if (checked !== undefined) return checked
  ctx.need(entry.id, from, role, held)
  if (isClosed(record)) return 'invitation-cancelled'
  // The host's clock, which it checked before signing: a guest picks no time that counts.
  if (entry.issuedAt > record.until) return 'invitation-expired'
  if (record.redeemed.includes(use) || record.used.length >= record.uses) return 'invitation-used'
  const removals = ctx.removalsOf(entry.subject)
  if (removals.some((removal) => !ctx.reach.descends(entry.id, removal))) return 'removed-concurrently'
  if (from !== undefined && !outranks(role, from)) return from === role ? 'already-member' : 'would-downgrade'
  record.redeemed.push(use)
  record.used.push(entry.id)
  return undefined
}

/**
 * Applied countersignatures that an applied cancellation of the same invitation has not seen (not among its
 * ancestors): the cancellation wins over them, whichever sorts first. The fold runs again without them (cascade.ts).
 */
export const cancelledUses = (records: Iterable<InvitationRecord>, reach: Reach): CredentialId[] => {
  const voided: CredentialId[] = []
  for (const record of records) {
    for (const use of record.used) {
      if (record.cancels.some((cancel) => !reach.ancestorsOf(cancel).has(use))) voided.push(use)
    }
  }
  return voided
}
