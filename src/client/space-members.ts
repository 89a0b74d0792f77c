/**
 * A space's members as the Members panel shows them (profile, role, fingerprint, devices online) and the
 * changes a member makes to them: a role, a removal, leaving. Every rule is echo's policy (`mayChange`); the
 * last owner is kept here too, so the person reads why before anything is signed.
 */
import { Cell, err, ok, type Observable, type Result } from '../base'
import { mayChange, type Actor, type Space } from '../echo'
import { fingerprint, type Credential, type PublicKey, type SpaceRole } from '../halo'
import type { Profile } from './identity-api'
import { problem, type Problem } from './problem-words'
import type { MemberRole, MemberView, Removal } from './spaces-api'

/** Where the panel's other facts come from: our own profile, and who is online (the mesh's authenticated peers). */
export interface MemberSources {
  /** This identity's latest profile (its own devices always know it). */
  readonly profile: Observable<Profile | undefined>
  /** The devices online now in this space's room, by identity key. */
  readonly online: Observable<ReadonlyMap<string, readonly string[]>>
  /** Our latest signed Profile: kept in each shared space's log, so the other members see our name. */
  readonly profileCredential?: Observable<Credential | undefined>
}

const MEMBER_ROLES: readonly MemberRole[] = ['owner', 'admin', 'editor', 'viewer']

const isRole = (value: unknown): value is SpaceRole => MEMBER_ROLES.includes(value as SpaceRole)

/** Owners first, then by rank; oneself first within a role; then by name, then key, so the order is stable. */
const order = (a: MemberView, b: MemberView): number =>
  MEMBER_ROLES.indexOf(a.role) - MEMBER_ROLES.indexOf(b.role) ||
  Number(b.me) - Number(a.me) ||
  (a.displayName ?? '').localeCompare(b.displayName ?? '') ||
  a.identity.localeCompare(b.identity)

/** Writes what is pending; a refusal (a full disk) fails the change. */
type Save = () => Promise<Result<void, Problem>>

export class SpaceMemberList {
  readonly members: Observable<readonly MemberView[]>
  readonly removal: Observable<Removal | undefined>
  readonly #space: Space
  readonly #actor: Actor
  readonly #sources: MemberSources
  readonly #save: Save
  readonly #stops: (() => void)[]

  constructor(space: Space, actor: Actor, sources: MemberSources, save: Save, writable: Observable<boolean>) {
    this.#space = space
    this.#actor = actor
    this.#sources = sources
    this.#save = save
    const members = new Cell(this.#list())
    const removal = new Cell(this.#removal())
    // Our profile goes into the log of a shared space we are a member of, once per new Profile (written with the
    // next save): the fold ignores it, every member's copy verifies it (`Space.profiles`).
    const share = (): void => {
      const credential = sources.profileCredential?.get()
      const me = actor.identity
      if (credential === undefined || space.personal || !writable.get() || space.roleOf(me) === undefined) return
      const known = space.profiles().get(me)
      if (known === undefined || known.issuedAt < credential.issuedAt) space.append(credential)
    }
    const update = (): void => {
      share()
      members.set(this.#list())
      removal.set(this.#removal())
    }
    share()
    this.#stops = [
      space.membership.subscribe(update),
      sources.online.subscribe(update),
      sources.profile.subscribe(update),
    ]
    this.members = members
    this.removal = removal
  }

  #list(): readonly MemberView[] {
    const { members } = this.#space.membership.get()
    const profiles = this.#space.profiles()
    const online = this.#sources.online.get()
    const me = this.#actor.identity
    const mine = members.find((member) => member.key === me)?.role
    const owners = members.filter((member) => member.role === 'owner').length
    return members
      .map((member): MemberView => {
        const isMe = member.key === me
        const profile = (isMe ? this.#sources.profile.get() : undefined) ?? profiles.get(member.key)
        // The last owner keeps the role: the fold would ignore the change anyway.
        const fixed = isMe || (member.role === 'owner' && owners === 1)
        return {
          identity: member.key,
          displayName: profile?.displayName,
          avatar: profile?.avatar,
          role: member.role,
          fingerprint: fingerprint(member.key),
          me: isMe,
          // This device is online for us as we look; the room lists only the others.
          devicesOnline: isMe
            ? [this.#actor.signer.key.publicKey, ...(online.get(me) ?? [])]
            : (online.get(member.key) ?? []),
          rolesAllowed: fixed ? [] : MEMBER_ROLES.filter((role) => mayChange(mine, member.role, role)),
          mayRemove: !fixed && mayChange(mine, member.role, 'removed'),
        }
      })
      .sort(order)
  }

  #removal(): Removal | undefined {
    const me = this.#actor.identity
    if (this.#space.roleOf(me) !== undefined) return undefined
    const by = this.#space.removedBy(me)
    if (by === undefined || by === me) return undefined
    return { by, byName: this.#space.profiles().get(by)?.displayName, byFingerprint: fingerprint(by) }
  }

  /** Whether `identity` is the space's only owner (who can be neither removed, demoted nor leave). */
  #lastOwner(identity: PublicKey): boolean {
    const { members } = this.#space.membership.get()
    const owners = members.filter((member) => member.role === 'owner')
    return owners.length === 1 && owners[0]?.key === identity
  }

  async setRole(identity: string, role: MemberRole): Promise<Result<void, Problem>> {
    if (!isRole(role)) return err(problem('invalid-input', 'role'))
    const subject = identity as PublicKey
    const current = this.#space.roleOf(subject)
    if (current === undefined) return err(problem('not-a-member'))
    if (current === role) return ok(undefined)
    if (this.#lastOwner(subject)) return err(problem('last-owner'))
    if (!mayChange(this.#space.roleOf(this.#actor.identity), current, role)) return err(problem('not-allowed'))
    const admitted = this.#space.admit(this.#actor, subject, role)
    if (!admitted.ok) return err(problem('not-allowed'))
    return this.#save()
  }

  /**
   * Removes a member and, in the same save, cancels the invitations `cancelInvitations` names: a removal closes no
   * invitation (echo, rule 8), so whoever holds an open link, the removed member too, could join with it again.
   * One already cancelled, or unknown here, is skipped.
   */
  async removeMember(identity: string, cancelInvitations: readonly string[] = []): Promise<Result<void, Problem>> {
    const subject = identity as PublicKey
    if (subject === this.#actor.identity) return this.leave()
    const current = this.#space.roleOf(subject)
    if (current === undefined) return err(problem('not-a-member'))
    if (this.#lastOwner(subject)) return err(problem('last-owner'))
    if (!mayChange(this.#space.roleOf(this.#actor.identity), current, 'removed')) return err(problem('not-allowed'))
    const open = this.#space.membership
      .get()
      .invitations.filter((each) => cancelInvitations.includes(each.id) && !each.cancelled)
    const removed = this.#space.remove(this.#actor, subject)
    if (!removed.ok) return err(problem('not-allowed'))
    // Whoever may remove may cancel any link (owners and admins grant every role a link gives; echo, rule 8), so a
    // refusal here is not expected; the removal stands and is saved either way.
    const refused = open.filter((each) => !this.#space.cancelInvitation(this.#actor, each.key).ok)
    const saved = await this.#save()
    return saved.ok && refused.length > 0 ? err(problem('not-allowed')) : saved
  }

  async leave(): Promise<Result<void, Problem>> {
    const me = this.#actor.identity
    if (this.#space.roleOf(me) === undefined) return err(problem('not-a-member'))
    if (this.#lastOwner(me)) return err(problem('last-owner-leave'))
    const left = this.#space.remove(this.#actor, me)
    if (!left.ok) return err(problem('not-allowed'))
    return this.#save()
  }

  close(): void {
    for (const stop of this.#stops) stop()
  }
}
