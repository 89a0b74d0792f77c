/**
 * The membership fold: the same set of log entries gives the same members and
 * roles on every peer, whatever order the entries arrived in. The rules
 * (CONTEXT.md repeats them):
 *
 * 1. Order. Entries are taken in canonical order (canonical-order.ts): parents first; among entries
 *    ready at the same time, removals first, then by id. Invalid entries (bad
 *    shape or signature, unknown or invalid parent) are kept in the log and
 *    ignored. No wall clock: a log entry carrying `expiresAt` is ignored, and a
 *    chain's times are judged at the entry's own `issuedAt`, so every peer
 *    computes the same state at any time.
 * 2. Genesis. The first valid SpaceGenesis signed by the space key makes its
 *    `owner` the owner. Nothing before it counts; a second genesis is ignored.
 *    The space key may afterwards only confirm that owner (SpaceMember owner).
 * 3. Who admits whom (the table is policy.ts's). An owner may give anyone any role and remove anyone. An
 *    admin may add, change and remove editors and viewers only. Editors and
 *    viewers admit nobody. Anyone may remove themselves (leave). The last owner
 *    can be neither removed nor demoted. Each entry is judged by the state built
 *    from the entries before it in the canonical order.
 *    Raising a key that held a role before (admitting it again after a removal or a leave, any raise after a
 *    demotion; a host's countersignature too) changes that member's role: it needs MANAGES over the highest role
 *    the key held in that state, not only ADMITS (`mayGrant`), so an admin cannot bring back, or raise again, an
 *    admin that an owner removed or demoted (review 13, G2). That highest role is what the pass granted the key
 *    before the entry, so every peer computes the same.
 *    An issuer's entry counts only if it descends from the entry that began the
 *    issuer's current membership (no entry signed before one was admitted, or
 *    re-admitted, takes effect later).
 * 4. Removal wins. (a) A SpaceMember for someone who has a removal that is not
 *    among the entry's ancestors (that is concurrent with it) is ignored,
 *    whichever came first: re-admitting a removed member needs an entry that has
 *    seen the removal. (b) Once a removal of X by another member takes
 *    effect, no entry issued by X (by any of X's devices) that is
 *    concurrent with the removal takes effect, wherever it sorts; after a
 *    demotion of X by another member, X's entries concurrent with it are
 *    judged with the lower role; mutual removals go to the senior member
 *    (cascade.ts, seniority.ts). A removal of X is tried before X's
 *    concurrent removals of others, X's answers to it excepted. (c) An entry
 *    of X concurrent with a leave of X that takes effect counts only if another
 *    member built on it without that leave, judged with X's role before it
 *    (`issuer-left` otherwise; after-leave.ts).
 * 5. Epochs. An owner or admin may record an Epoch; only the next number (the
 *    current one + 1, or 1 for the first) takes effect (`stale-epoch` otherwise),
 *    so no Epoch can use up the numbers left.
 * 6. Nothing built on an ignored entry takes effect: an entry with a parent
 *    that was refused (unauthorized, invalid, by a removed issuer...) is
 *    ignored too. An entry that was allowed but lost a race or changed nothing
 *    (removed-concurrently, last-owner, stale-epoch, not-a-member) may be built
 *    on: honest devices that wrote on top of it keep their entries. So may an
 *    entry voided by a device revocation (rule 7), though it is no head.
 * 7. Revoked devices (revocations.ts). DeviceRevoked entries are resolved per
 *    identity by HALO's rule; from a revocation on, entries signed through the
 *    revoked device have no effect (`revoked-device`) unless every revocation
 *    with parents that holds the device revoked descends from them. Checked
 *    with the signature, once the issuer holds a role. A DeviceRevoked entry is
 *    applied when its issuer holds a role (rule 3); it counts either way.
 * 8. Invitations (invitations.ts). A DelegatedInvitation (subject: the invite key I_K) takes effect if its
 *    issuer may `share` and may admit a newcomer with its role, never the top role; a second one for the same
 *    key changes nothing. An InvitationCancelled takes effect if issued by the inviter or by anyone who may
 *    grant the role. Holding K admits nobody: a SpaceMember signed by an invite key (a use) only waits
 *    (`awaiting-host`). A host's own SpaceMember for the same guest and role naming the use as a parent (its
 *    countersignature) admits, only if the host may admit that role there, the inviter may still grant it, no
 *    cancellation took effect before it, the host's issuedAt ≤ until, fewer than `uses` countersignatures took
 *    effect before it (single use: the first in canonical order), no removal of the guest is concurrent with it,
 *    and it raises the guest. A cancellation voids every countersignature it does not descend from, wherever
 *    that sorts (cancel wins, run to a fixed point with rule 4b). A removal or a leave closes no invitation and
 *    voids no use: its signer picks its parents, so "what it has not seen" would be what it chose to void (review
 *    13, G1). A removed member who kept an open link can come back under a new identity until it is cancelled.
 */
import type { CredentialId, PublicKey, SpaceRole } from '../../halo'
import type { SpaceId } from '../ids'
import type { IgnoreReason } from './canonical-order'
import type { MembershipState } from './log'
import { MembershipLog } from './log'

export type { EpochRecord } from './pass'
export type { MembershipState } from './log'

/** Folds a space's log (raw values as stored in its document) into its membership. */
export const foldMembership = (space: SpaceId, log: readonly unknown[]): MembershipState => {
  const folded = new MembershipLog(space)
  folded.add(log)
  return folded.state()
}

export const roleOf = (state: MembershipState, key: PublicKey): SpaceRole | undefined =>
  state.members.find((member) => member.key === key)?.role

/** Verdicts on a host's countersignature that come after its signature held: the host had welcomed its guest. */
const LOST_WELCOME: ReadonlySet<IgnoreReason> = new Set<IgnoreReason>([
  'invitation-used',
  'invitation-cancelled',
  'invitation-expired',
])

/**
 * Countersignatures the fold keeps without effect because they lost to another use, to a cancellation, or to the
 * invitation's end. Each was signed by a member who may admit, whose host then welcomed the guest: handed it the
 * space's swarm secret and root. That guest holds the secret and is no member, as a removed one (review 13, G6).
 */
export const lostWelcomes = (state: MembershipState): readonly CredentialId[] =>
  state.ignored.filter((ignored) => LOST_WELCOME.has(ignored.reason)).map((ignored) => ignored.id as CredentialId)
