/**
 * Invitations in a space's log (fold rule 8, CONTEXT.md "Membership rules"). A DelegatedInvitation by a member
 * who may grant its role opens one; a SpaceMember signed by its invite key (I_K) and descending from it admits a
 * guest, up to `uses` times, in canonical order; an InvitationCancelled closes it and voids every use that is
 * not among its ancestors (cancel wins, as removal wins). Expiry is the assertion's `until`, compared with the
 * use's own `issuedAt`, so every peer judges it alike whatever its clock says.
 */
import type { Credential, CredentialId, PublicKey, SpaceRole } from '../../halo'
import type { Reach } from './reach'

/**
 * How far past `until` a use's `issuedAt` may be: the guest signs with its own clock, which may run a little
 * ahead of the host's that admitted it in time. Part of the rule: changing it changes verdicts on stored logs.
 */
export const INVITATION_SKEW_MS = 2 * 60 * 1000

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
  /**
   * Applied removals not in the invitation's causal past: every member could read its secret
   * (the space root's `invites`), so a removed member (or one who left) could come back through it; each voids it
   * as a cancellation would.
   */
  readonly voids: CredentialId[]
  /** Applied uses, in canonical order. */
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
  /** Unix ms: uses issued later than this (plus `INVITATION_SKEW_MS`) are refused. */
  readonly until: number
  /** Cancelled, or voided by a removal it had not seen (rule 8): it admits nobody. */
  readonly cancelled: boolean
  /** Whether the inviter may still grant the role (a removed or demoted inviter's invitation admits nobody). */
  readonly inviterMay: boolean
}

export const recordOf = (entry: Credential): InvitationRecord | undefined => {
  const { assertion } = entry
  if (assertion.kind !== 'DelegatedInvitation') return undefined
  const { role, uses, until } = assertion
  return {
    id: entry.id,
    key: entry.subject,
    inviter: entry.issuer,
    role,
    uses,
    until,
    cancels: [],
    voids: [],
    used: [],
  }
}

export const copyRecord = (record: InvitationRecord): InvitationRecord => ({
  ...record,
  cancels: [...record.cancels],
  voids: [...record.voids],
  used: [...record.used],
})

/** Whether a cancellation, or a removal it had not seen, closed the invitation. */
export const isClosed = (record: InvitationRecord): boolean => record.cancels.length > 0 || record.voids.length > 0

/** Whether a use issued at `issuedAt` comes too late for an invitation open until `until`. */
export const isLate = (issuedAt: number, until: number): boolean => issuedAt > until + INVITATION_SKEW_MS

/**
 * Applied uses that an applied cancellation of the same invitation, or a removal that voids it, has not seen (not
 * among its ancestors): the cancellation wins over them, whichever sorts first. The fold runs again without them
 * (cascade.ts).
 */
export const cancelledUses = (records: Iterable<InvitationRecord>, reach: Reach): CredentialId[] => {
  const voided: CredentialId[] = []
  for (const record of records) {
    for (const use of record.used) {
      const closers = [...record.cancels, ...record.voids]
      if (closers.some((closer) => !reach.ancestorsOf(closer).has(use))) voided.push(use)
    }
  }
  return voided
}
