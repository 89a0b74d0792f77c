/**
 * What a host checks before admitting a guest with an invitation, by its own fold and clock (sharing-protocol.md
 * §4.3); then it folds the guest's entry with the log (`preview`), which judges it by the entry's own time.
 */
import type { Result } from '../../base'
import { AppError, err, ok } from '../../base'
import type { CredentialId, PublicKey } from '../../halo'
import type { Invitation } from './invitations'
import type { MembershipState } from './log'
import { outranks } from './policy'

export type InvitationProblem =
  /** No invitation with this id took effect (never seen, by someone who may not invite, or another space's). */
  | 'invitation-unknown'
  | 'invitation-cancelled'
  /** Past `until` by the host's clock. */
  | 'invitation-expired'
  /** Every use taken (single use: the first use in the log's order won). */
  | 'invitation-used'
  /** The inviter was removed or demoted and may no longer grant the role. */
  | 'inviter-cannot-grant'
  /** The guest holds a higher role already. */
  | 'would-downgrade'
  /** The guest holds this role already: nothing to do but open the space. */
  | 'already-member'

const MESSAGES: Readonly<Record<InvitationProblem, string>> = {
  'invitation-unknown': 'this invitation is not in the space',
  'invitation-cancelled': 'this invitation was cancelled',
  'invitation-expired': 'this invitation has expired',
  'invitation-used': 'this invitation has been used',
  'inviter-cannot-grant': 'the person who invited may no longer grant this role',
  'would-downgrade': 'the guest holds a higher role in this space already',
  'already-member': 'the guest is a member of this space already',
}

export class InvitationRefused extends AppError<InvitationProblem> {
  constructor(problem: InvitationProblem) {
    super(problem, MESSAGES[problem])
  }
}

/**
 * Whether invitation `id` may admit `guest` (when known) at `now` (the host's clock, unix ms, as the fold judges
 * the host's countersignature). Returns the invitation: its role is the one the guest's entry must ask for.
 */
export const checkInvitationUse = (
  state: MembershipState,
  id: CredentialId,
  now: number,
  guest?: PublicKey,
): Result<Invitation, InvitationRefused> => {
  const invitation = state.invitations.find((known) => known.id === id)
  if (invitation === undefined) return err(new InvitationRefused('invitation-unknown'))
  if (invitation.cancelled) return err(new InvitationRefused('invitation-cancelled'))
  if (!invitation.inviterMay) return err(new InvitationRefused('inviter-cannot-grant'))
  if (now > invitation.until) return err(new InvitationRefused('invitation-expired'))
  if (invitation.usesLeft === 0) return err(new InvitationRefused('invitation-used'))
  const held = guest === undefined ? undefined : state.members.find((member) => member.key === guest)?.role
  if (held !== undefined && !outranks(invitation.role, held)) {
    return err(new InvitationRefused(held === invitation.role ? 'already-member' : 'would-downgrade'))
  }
  return ok(invitation)
}
