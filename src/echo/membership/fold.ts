/**
 * The membership fold: the same set of log entries gives the same members and
 * roles on every peer, whatever order the entries arrived in. The rules
 * (CONTEXT.md repeats them):
 *
 * 1. Order. Entries are taken in `canonicalOrder`: parents first; among entries
 *    ready at the same time, removals first, then by id. Invalid entries (bad
 *    shape or signature, expired, unknown or invalid parent) are kept in the log
 *    and ignored.
 * 2. Genesis. The first valid SpaceGenesis signed by the space key makes its
 *    `owner` the owner. Nothing before it counts; a second genesis is ignored.
 *    The space key may afterwards only confirm that owner (SpaceMember owner).
 * 3. Who admits whom. An owner may give anyone any role and remove anyone. An
 *    admin may add, change and remove editors and viewers only. Editors and
 *    viewers admit nobody. Anyone may remove themselves (leave). The last owner
 *    can be neither removed nor demoted. Each entry is judged by the state built
 *    from the entries before it in the canonical order.
 * 4. Removal wins. A SpaceMember for someone who has a removal that is not among
 *    the entry's ancestors (that is concurrent with it) is ignored, whichever came
 *    first: re-admitting a removed member needs an entry that has seen the removal.
 *    Entries issued by a removed member after the removal in canonical order are
 *    ignored.
 * 5. Epochs. An owner or admin may record an Epoch; only one with a higher number
 *    than the current epoch takes effect.
 */
import type { Clock } from '../../base'
import type { Credential, CredentialId, PublicKey, SpaceRole } from '../../halo'
import type { SpaceId } from '../ids'
import type { Ignored, IgnoreReason } from './canonical-order'
import { canonicalOrder } from './canonical-order'

export interface Member {
  readonly key: PublicKey
  readonly role: SpaceRole
}

export interface EpochRecord {
  readonly number: number
  readonly snapshot: string
  readonly credential: CredentialId
  readonly issuedAt: number
}

export interface MembershipState {
  readonly genesis: CredentialId | undefined
  /** Sorted by key. */
  readonly members: readonly Member[]
  readonly epoch: EpochRecord | undefined
  /** Entries that took effect, in canonical order. */
  readonly applied: readonly CredentialId[]
  /** Entries kept in the log but without effect, sorted by id. */
  readonly ignored: readonly Ignored[]
  /** Valid entries that no valid entry names as parent: the parents of the next entry. */
  readonly heads: readonly CredentialId[]
}

const may = (issuer: SpaceRole | undefined, from: SpaceRole | undefined, to: SpaceRole | 'removed'): boolean => {
  if (issuer === 'owner') return true
  if (issuer !== 'admin') return false
  const limited = (role: SpaceRole | 'removed' | undefined) =>
    role === undefined || role === 'editor' || role === 'viewer' || role === 'removed'
  return limited(from) && limited(to)
}

class Folding {
  readonly roles = new Map<PublicKey, SpaceRole>()
  readonly removals = new Map<PublicKey, CredentialId[]>()
  readonly ancestors = new Map<CredentialId, ReadonlySet<CredentialId>>()
  readonly applied: CredentialId[] = []
  readonly ignored: Ignored[] = []
  genesis: Credential | undefined
  epoch: EpochRecord | undefined

  readonly space: PublicKey

  constructor(space: SpaceId) {
    // A SpaceId is the space's public key.
    this.space = space as string as PublicKey
  }

  ancestorsOf(entry: Credential): ReadonlySet<CredentialId> {
    const set = new Set<CredentialId>()
    for (const parent of entry.parents) {
      set.add(parent)
      for (const above of this.ancestors.get(parent) ?? []) set.add(above)
    }
    this.ancestors.set(entry.id, set)
    return set
  }

  owners(): number {
    return [...this.roles.values()].filter((role) => role === 'owner').length
  }

  /** Why `entry` has no effect, or undefined when it takes effect (and applies it). */
  judge(entry: Credential): IgnoreReason | undefined {
    const seen = this.ancestorsOf(entry)
    const { assertion } = entry
    if (assertion.kind === 'SpaceGenesis') {
      if (entry.issuer !== this.space || entry.subject !== this.space) return 'other-space'
      if (this.genesis !== undefined) return 'second-genesis'
      this.genesis = entry
      this.roles.set(assertion.owner, 'owner')
      return undefined
    }
    if (this.genesis === undefined) return 'before-genesis'
    switch (assertion.kind) {
      case 'SpaceMember': {
        if (assertion.space !== this.space) return 'other-space'
        if (entry.issuer === this.space) {
          const owner = this.genesis.assertion.kind === 'SpaceGenesis' ? this.genesis.assertion.owner : undefined
          return assertion.role === 'owner' && entry.subject === owner ? undefined : 'unauthorized'
        }
        const from = this.roles.get(entry.subject)
        if (!may(this.roles.get(entry.issuer), from, assertion.role)) return 'unauthorized'
        if ((this.removals.get(entry.subject) ?? []).some((removal) => !seen.has(removal))) {
          return 'removed-concurrently'
        }
        if (from === 'owner' && assertion.role !== 'owner' && this.owners() === 1) return 'last-owner'
        this.roles.set(entry.subject, assertion.role)
        return undefined
      }
      case 'MemberRemoved': {
        if (assertion.space !== this.space) return 'other-space'
        const from = this.roles.get(entry.subject)
        const self = entry.issuer === entry.subject && from !== undefined
        if (!self && !may(this.roles.get(entry.issuer), from, 'removed')) return 'unauthorized'
        if (from === 'owner' && this.owners() === 1) return 'last-owner'
        this.roles.delete(entry.subject)
        this.removals.set(entry.subject, [...(this.removals.get(entry.subject) ?? []), entry.id])
        return undefined
      }
      case 'Epoch': {
        if (assertion.space !== this.space) return 'other-space'
        const role = this.roles.get(entry.issuer)
        if (role !== 'owner' && role !== 'admin') return 'unauthorized'
        if (this.epoch !== undefined && assertion.number <= this.epoch.number) return 'stale-epoch'
        const { number, snapshot } = assertion
        this.epoch = { number, snapshot, credential: entry.id, issuedAt: entry.issuedAt }
        return undefined
      }
      case 'AuthorizedDevice':
      case 'DeviceName':
      case 'DeviceRevoked':
      case 'DelegatedInvitation':
      case 'InvitationCancelled':
      case 'Profile':
        return 'not-membership'
    }
  }
}

/** Folds a space's log (raw values as stored in its document) into its membership. */
export const foldMembership = (space: SpaceId, log: readonly unknown[], clock: Clock): MembershipState =>
  foldLog(space, log, clock).state

/** The fold, with the entries that verified (what a device keeps for good). */
export const foldLog = (
  space: SpaceId,
  log: readonly unknown[],
  clock: Clock,
): { state: MembershipState; verified: readonly Credential[] } => {
  const ordered = canonicalOrder(log, clock)
  const folding = new Folding(space)
  for (const entry of ordered.entries) {
    const reason = folding.judge(entry)
    if (reason === undefined) folding.applied.push(entry.id)
    else folding.ignored.push({ id: entry.id, reason })
  }
  const parents = new Set(ordered.entries.flatMap((entry) => entry.parents))
  const state = {
    genesis: folding.genesis?.id,
    members: [...folding.roles].map(([key, role]) => ({ key, role })).sort((a, b) => (a.key < b.key ? -1 : 1)),
    epoch: folding.epoch,
    applied: folding.applied,
    ignored: [...ordered.ignored, ...folding.ignored].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    heads: ordered.entries
      .map((entry) => entry.id)
      .filter((id) => !parents.has(id))
      .sort(),
  }
  return { state, verified: ordered.entries }
}

export const roleOf = (state: MembershipState, key: PublicKey): SpaceRole | undefined =>
  state.members.find((member) => member.key === key)?.role
