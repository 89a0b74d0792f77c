/**
 * One pass of the membership fold: entries in canonical order, each judged
 * against the state the entries before it built (the rules are listed in
 * fold.ts). A pass can be continued with entries that sort after all others,
 * which is how one new entry is folded without starting again.
 */
import type { Credential, CredentialId, PublicKey, SpaceRole } from '../../halo'
import type { SpaceId } from '../ids'
import type { Ignored, IgnoreReason } from './canonical-order'
import type { Invitation, InvitationContext } from './invitations'
import type { InvitationRecord } from './invitations'
import { citedUse, copyRecord, isClosed, judgeCountersign, judgeUse, recordOf } from './invitations'
import {
  can,
  isTopRole,
  leastRoleFor,
  leastRoleTo,
  lowerRole,
  mayChange,
  mayGrant,
  mayRemoveOthers,
  outranks,
} from './policy'
import type { Reach } from './reach'

export interface EpochRecord {
  readonly number: number
  readonly snapshot: string
  readonly credential: CredentialId
  readonly issuedAt: number
}

/**
 * Entries an authorized issuer may make that lose a race with a concurrent one
 * (or repeat what is so already): no effect, but what was built on them stands.
 * Every other reason marks an entry nothing may be built on.
 */
const NO_EFFECT: ReadonlySet<IgnoreReason> = new Set<IgnoreReason>([
  'removed-concurrently',
  'last-owner',
  'stale-epoch',
  'not-a-member',
  // A second invitation for one invite key, and uses that lost a race (to a cancellation, to other uses, to the
  // guest's admission by another entry): hosts that admitted them in good faith keep what they built after.
  'invitation-exists',
  'invitation-cancelled',
  'invitation-used',
  'would-downgrade',
  'already-member',
])

/**
 * Entries signed through a revoked device (revocations.ts): no effect, and no
 * head, but what others built on them is judged on its own. Honest devices
 * write on top of a stolen device's entries until the revocation reaches
 * them; voiding those too would hand the thief everyone's entries of that time.
 */
const BUILT_ON: ReadonlySet<IgnoreReason> = new Set<IgnoreReason>([
  'revoked-device',
  // A guest's use waiting for a host (invitations.ts): only the host's countersignature names it on purpose.
  'awaiting-host',
])

/**
 * Whether an entry's signature and chain hold (`invalid` otherwise), and
 * whether a device revocation voids it (`revoked-device`); undefined when it
 * stands.
 */
export type Check = (entry: Credential) => 'invalid' | 'revoked-device' | undefined

export class Pass {
  readonly roles = new Map<PublicKey, SpaceRole>()
  /** The entry that began each member's current membership; their entries must descend from it. */
  readonly grants = new Map<PublicKey, CredentialId>()
  /** Applied removals, by the removed member. */
  readonly removals = new Map<PublicKey, CredentialId[]>()
  /** The highest role each key held at any point of the pass: raising it again needs MANAGES over that (policy.ts). */
  readonly held = new Map<PublicKey, SpaceRole>()
  /** Keys that were owner or admin at some point of the pass (only they can remove others). */
  readonly powerful = new Set<PublicKey>()
  readonly applied = new Set<CredentialId>()
  readonly appliedOrder: CredentialId[] = []
  /** Applied entries and entries that were allowed but changed nothing (they may be built on). */
  readonly accepted: CredentialId[] = []
  readonly #accepted = new Set<CredentialId>()
  /** Accepted entries and entries of revoked devices: an entry may name only these as parents. */
  readonly #buildable = new Set<CredentialId>()
  readonly #entries = new Map<CredentialId, Credential>()
  readonly ignored: Ignored[] = []
  /** Invitations that took effect, by invite key (I_K). */
  readonly invitations = new Map<PublicKey, InvitationRecord>()
  genesis: Credential | undefined
  epoch: EpochRecord | undefined

  readonly space: PublicKey
  readonly #reach: Reach
  readonly #excluded: ReadonlyMap<CredentialId, IgnoreReason>
  /** Entries judged with at most this role (entries of a member concurrent with her demotion, cascade.ts). */
  readonly #caps: ReadonlyMap<CredentialId, SpaceRole>
  /** The least role each applied entry needed (cascade.ts: whether a demotion changes it). */
  readonly needed = new Map<CredentialId, SpaceRole>()
  /** Entries of a member who left, concurrent with her leave, that another member saw first (rule 4c). */
  readonly #reprieved: ReadonlySet<CredentialId>
  /** The role and grant each member who left held just before her last leave took effect. */
  readonly #left = new Map<PublicKey, { role: SpaceRole; grant: CredentialId }>()

  readonly #check: Check
  readonly #invitationContext: InvitationContext

  /**
   * `check` checks an entry's signature, chain and device revocations; it is
   * asked only once the issuer is known to hold a role here (junk by anyone
   * else costs no check).
   */
  constructor(
    space: SpaceId,
    reach: Reach,
    excluded: ReadonlyMap<CredentialId, IgnoreReason>,
    check: Check,
    caps: ReadonlyMap<CredentialId, SpaceRole> = new Map(),
    reprieved: ReadonlySet<CredentialId> = new Set(),
  ) {
    // A SpaceId is the space's public key.
    this.space = space as string as PublicKey
    this.#reach = reach
    this.#excluded = excluded
    this.#check = check
    this.#caps = caps
    this.#reprieved = reprieved
    this.#invitationContext = {
      reach,
      entry: (id) => this.#entries.get(id),
      authority: (entry) => this.#authority(entry),
      roleOf: (key) => this.roles.get(key),
      removalsOf: (key) => this.removals.get(key) ?? [],
      heldOf: (key) => this.held.get(key),
      check,
      need: (id, from, to, held) => this.#need(id, leastRoleFor(from, to, held)),
    }
  }

  /** A copy to judge entries on without changing this pass (a preview). */
  fork(): Pass {
    const copy = new Pass(
      this.space as string as SpaceId,
      this.#reach,
      this.#excluded,
      this.#check,
      this.#caps,
      this.#reprieved,
    )
    for (const [key, left] of this.#left) copy.#left.set(key, left)
    for (const [key, role] of this.roles) copy.roles.set(key, role)
    for (const [key, grant] of this.grants) copy.grants.set(key, grant)
    for (const [key, ids] of this.removals) copy.removals.set(key, [...ids])
    for (const [key, role] of this.held) copy.held.set(key, role)
    for (const key of this.powerful) copy.powerful.add(key)
    for (const id of this.applied) copy.applied.add(id)
    for (const [id, role] of this.needed) copy.needed.set(id, role)
    copy.appliedOrder.push(...this.appliedOrder)
    copy.accepted.push(...this.accepted)
    for (const id of this.#accepted) copy.#accepted.add(id)
    for (const id of this.#buildable) copy.#buildable.add(id)
    for (const [id, entry] of this.#entries) copy.#entries.set(id, entry)
    copy.ignored.push(...this.ignored)
    for (const [key, record] of this.invitations) copy.invitations.set(key, copyRecord(record))
    copy.genesis = this.genesis
    copy.epoch = this.epoch
    return copy
  }

  run(entries: readonly Credential[]): this {
    for (const entry of entries) this.take(entry)
    return this
  }

  /** Judges the next entry in canonical order and records the verdict. */
  take(entry: Credential): IgnoreReason | undefined {
    this.#entries.set(entry.id, entry)
    const reason = this.#judge(entry)
    if (reason === undefined) {
      this.applied.add(entry.id)
      this.appliedOrder.push(entry.id)
    } else this.ignored.push({ id: entry.id, reason })
    if (reason === undefined || NO_EFFECT.has(reason)) {
      this.#accepted.add(entry.id)
      this.accepted.push(entry.id)
    }
    if (reason === undefined || NO_EFFECT.has(reason) || BUILT_ON.has(reason)) this.#buildable.add(entry.id)
    return reason
  }

  /** An entry this pass has taken. */
  entry(id: CredentialId): Credential | undefined {
    return this.#entries.get(id)
  }

  /** The invitations that took effect, sorted by id, as the state shows them. */
  invitationStates(): Invitation[] {
    const states = [...this.invitations.values()].map((record): Invitation => {
      const delegation = this.#entries.get(record.id)
      const inviter = delegation === undefined ? undefined : this.#authority(delegation)
      return {
        id: record.id,
        key: record.key,
        inviter: record.inviter,
        role: record.role,
        uses: record.uses,
        usesLeft: Math.max(0, record.uses - record.used.length),
        until: record.until,
        cancelled: isClosed(record),
        inviterMay: can(inviter, 'share') && mayChange(inviter, undefined, record.role),
      }
    })
    return states.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  owners(): number {
    return [...this.roles.values()].filter(isTopRole).length
  }

  /**
   * The issuer's role, if it holds one and the entry has seen the membership that gave it; for an entry of a
   * member who left that another member saw before her leave (rule 4c), the role she held before it.
   */
  #authority(entry: Credential): SpaceRole | undefined {
    const held = this.#heldAt(entry, this.roles.get(entry.issuer), this.grants.get(entry.issuer))
    const left = this.#reprieved.has(entry.id) ? this.#left.get(entry.issuer) : undefined
    const role = held ?? this.#heldAt(entry, left?.role, left?.grant)
    if (role === undefined) return undefined
    const cap = this.#caps.get(entry.id)
    return cap === undefined ? role : lowerRole(role, cap)
  }

  #heldAt(entry: Credential, role: SpaceRole | undefined, grant: CredentialId | undefined): SpaceRole | undefined {
    if (role === undefined || grant === undefined) return undefined
    return grant === entry.id || this.#reach.descends(entry.id, grant) ? role : undefined
  }

  /** Records the least role an applied entry needed (the policy gives one for every allowed entry). */
  #need(id: CredentialId, role: SpaceRole | undefined): void {
    if (role !== undefined) this.needed.set(id, role)
  }

  #grant(subject: PublicKey, role: SpaceRole, entry: CredentialId): void {
    if (!this.roles.has(subject)) this.grants.set(subject, entry)
    const held = this.held.get(subject)
    if (held === undefined || outranks(role, held)) this.held.set(subject, role)
    if (mayRemoveOthers(role)) this.powerful.add(subject)
    this.roles.set(subject, role)
  }

  #judge(entry: Credential): IgnoreReason | undefined {
    const excluded = this.#excluded.get(entry.id)
    if (excluded !== undefined) return excluded
    if (entry.parents.some((parent) => !this.#buildable.has(parent))) return 'after-ignored'
    // An expiry would be judged against each peer's clock and void what follows; log entries carry none.
    if (entry.expiresAt !== undefined) return 'has-expiry'
    const { assertion } = entry
    if (assertion.kind === 'SpaceGenesis') {
      if (entry.issuer !== this.space || entry.subject !== this.space) return 'other-space'
      if (this.genesis !== undefined) return 'second-genesis'
      // The space key signs no chain: no device of it can be revoked.
      if (this.#check(entry) !== undefined) return 'invalid'
      this.genesis = entry
      this.#grant(assertion.owner, 'owner', entry.id)
      return undefined
    }
    if (this.genesis === undefined) return 'before-genesis'
    switch (assertion.kind) {
      case 'SpaceMember': {
        if (assertion.space !== this.space) return 'other-space'
        if (entry.issuer === this.space) {
          const owner = this.genesis.assertion.kind === 'SpaceGenesis' ? this.genesis.assertion.owner : undefined
          // The space key only confirms the genesis owner; the entry changes nothing.
          if (!isTopRole(assertion.role) || entry.subject !== owner) return 'unauthorized'
          return this.#check(entry) === undefined ? undefined : 'invalid'
        }
        // An invite key holds no role: its SpaceMember entries are uses of its invitation (a member's never are).
        const invitation = this.roles.has(entry.issuer) ? undefined : this.invitations.get(entry.issuer)
        if (invitation !== undefined) return judgeUse(this.#invitationContext, entry, assertion.role, invitation)
        // A member's entry naming a guest's use countersigns it: judged as that invitation's use, never as a plain admission.
        const cited = citedUse(this.#invitationContext, this.invitations, entry, assertion.role)
        if (cited !== undefined) {
          const reason = judgeCountersign(this.#invitationContext, entry, assertion.role, cited)
          if (reason === undefined) this.#grant(entry.subject, assertion.role, entry.id)
          return reason
        }
        const from = this.roles.get(entry.subject)
        const held = this.held.get(entry.subject)
        if (!mayGrant(this.#authority(entry), from, assertion.role, held)) return 'unauthorized'
        const checked = this.#check(entry)
        if (checked !== undefined) return checked
        this.#need(entry.id, leastRoleFor(from, assertion.role, held))
        const removals = this.removals.get(entry.subject) ?? []
        if (removals.some((removal) => !this.#reach.descends(entry.id, removal))) return 'removed-concurrently'
        if (isTopRole(from) && !isTopRole(assertion.role) && this.owners() === 1) return 'last-owner'
        this.#grant(entry.subject, assertion.role, entry.id)
        return undefined
      }
      case 'MemberRemoved': {
        if (assertion.space !== this.space) return 'other-space'
        const from = this.roles.get(entry.subject)
        const issuer = this.#authority(entry)
        const self = entry.issuer === entry.subject && can(issuer, 'leave')
        if (!self && !mayChange(issuer, from, 'removed')) return 'unauthorized'
        const checked = this.#check(entry)
        if (checked !== undefined) return checked
        this.#need(entry.id, self ? leastRoleTo('leave') : leastRoleFor(from, 'removed'))
        // Removing a non-member changes nothing, and would block a later admission concurrent with it.
        if (from === undefined) return 'not-a-member'
        if (isTopRole(from) && this.owners() === 1) return 'last-owner'
        const grant = this.grants.get(entry.subject)
        if (entry.issuer === entry.subject && grant !== undefined) this.#left.set(entry.subject, { role: from, grant })
        this.roles.delete(entry.subject)
        this.grants.delete(entry.subject)
        this.removals.set(entry.subject, [...(this.removals.get(entry.subject) ?? []), entry.id])
        return undefined
      }
      case 'Epoch': {
        if (assertion.space !== this.space) return 'other-space'
        const role = this.#authority(entry)
        if (!can(role, 'compact')) return 'unauthorized'
        const checked = this.#check(entry)
        if (checked !== undefined) return checked
        this.#need(entry.id, leastRoleTo('compact'))
        // Exactly the next number: a skip (up to the largest number) would leave no room for later epochs.
        if (assertion.number !== (this.epoch?.number ?? 0) + 1) return 'stale-epoch'
        const { number, snapshot } = assertion
        this.epoch = { number, snapshot, credential: entry.id, issuedAt: entry.issuedAt }
        return undefined
      }
      case 'DeviceRevoked': {
        // Its effect (revocations.ts) does not depend on this verdict, which records whether a member made it.
        if (!can(this.#authority(entry), 'revoke-device')) return 'unauthorized'
        return this.#check(entry)
      }
      case 'DelegatedInvitation': {
        if (assertion.space !== this.space) return 'other-space'
        const role = this.#authority(entry)
        // A link is a bearer secret that may leak into a chat: the top role goes to a known identity only.
        if (isTopRole(assertion.role) || !can(role, 'share') || !mayChange(role, undefined, assertion.role)) {
          return 'unauthorized'
        }
        const checked = this.#check(entry)
        if (checked !== undefined) return checked
        this.#need(entry.id, leastRoleFor(undefined, assertion.role))
        // Invite keys come from fresh secrets; a second invitation for one would make its uses ambiguous.
        if (this.invitations.has(entry.subject)) return 'invitation-exists'
        const record = recordOf(entry)
        if (record === undefined) return undefined
        this.invitations.set(entry.subject, record)
        return undefined
      }
      case 'InvitationCancelled': {
        if (assertion.space !== this.space) return 'other-space'
        const record = this.invitations.get(entry.subject)
        if (record === undefined) return 'unknown-invitation'
        const role = this.#authority(entry)
        const granting = can(role, 'share') && mayChange(role, undefined, record.role)
        // Its inviter may always take it back (even after losing the role: closing a door is never a risk).
        if (entry.issuer !== record.inviter && !granting) return 'unauthorized'
        const checked = this.#check(entry)
        if (checked !== undefined) return checked
        if (entry.issuer !== record.inviter) this.#need(entry.id, leastRoleFor(undefined, record.role))
        record.cancels.push(entry.id)
        return undefined
      }
      case 'AuthorizedDevice':
      case 'DeviceName':
      case 'Profile':
        return 'not-membership'
    }
  }
}
