/**
 * Who is in a space and what they may do: the folded membership, each key's
 * role (now and as it changes), the permission check every write goes through
 * (`membership/policy.ts`), and the entries members add to the log.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Clock, Observable, Result } from '../../base'
import { err, ok } from '../../base'
import type { Credential, Profile, PublicKey, SpaceRole } from '../../halo'
import { copyKey, decodeCredential, verifyCredential } from '../../halo'
import { NotAllowed } from '../errors'
import type { SpaceId } from '../ids'
import type { Actor } from '../membership/entries'
import { issueDeviceRevocation } from '../membership/entries'
import type { MembershipState } from '../membership/fold'
import { roleOf } from '../membership/fold'
import type { SpaceAction } from '../membership/policy'
import { can } from '../membership/policy'
import type { LogStore } from '../storage/log-store'
import type { SpaceDoc } from './documents'
import { toPlain } from './documents'
import { SpaceMembership } from './space-membership'
import { recordIn } from './root-fields'

export class SpaceMembers {
  readonly #id: SpaceId
  readonly #root: DocHandle<SpaceDoc>
  readonly #clock: Clock
  readonly #membership: SpaceMembership
  /** The devices revoked in the state they were read from (recomputed only when asked after a fold). */
  #revoked: { readonly state: MembershipState; readonly devices: ReadonlySet<string> } | undefined

  constructor(id: SpaceId, root: DocHandle<SpaceDoc>, context: { readonly clock: Clock; readonly logs: LogStore }) {
    this.#id = id
    this.#root = root
    this.#clock = context.clock
    this.#membership = new SpaceMembership(id, root, context.clock, context.logs)
  }

  load(): Promise<void> {
    return this.#membership.load()
  }

  refold(keys: readonly string[]): void {
    this.#membership.refold(keys)
  }

  get state(): Observable<MembershipState> {
    return this.#membership.state
  }

  roleOf(key: PublicKey): SpaceRole | undefined {
    return this.#membership.roleOf(key)
  }

  /** `key`'s role now and whenever the fold changes it (listeners hear only real changes). */
  role(key: PublicKey): Observable<SpaceRole | undefined> {
    const state = this.#membership.state
    const current = () => roleOf(state.get(), key)
    return {
      get: current,
      subscribe: (listener) => {
        let last = current()
        return state.subscribe(() => {
          const now = current()
          if (now === last) return
          last = now
          listener(now)
        })
      },
    }
  }

  /**
   * Whether the fold counts a revocation of `device`: an applied DeviceRevoked entry (its issuer holds a role and
   * HALO's rule counts it; a revocation the rule voids is ignored, never applied).
   */
  isDeviceRevoked(device: PublicKey): boolean {
    const state = this.#membership.state.get()
    if (this.#revoked?.state !== state) {
      const log = recordIn(this.#root.doc().log)
      const devices = new Set<string>()
      for (const id of state.applied) {
        const entry = decodeCredential(toPlain(log[id]))
        if (entry.ok && entry.value.assertion.kind === 'DeviceRevoked') devices.add(entry.value.subject)
      }
      this.#revoked = { state, devices }
    }
    return this.#revoked.devices.has(device)
  }

  /** The latest applied MemberRemoved of `key`, while it holds (undefined if not removed, or admitted again). */
  removalOf(key: PublicKey): Credential | undefined {
    const state = this.#membership.state.get()
    const log = recordIn(this.#root.doc().log)
    for (let index = state.applied.length - 1; index >= 0; index--) {
      const id = state.applied[index]
      if (id === undefined) continue
      const entry = decodeCredential(toPlain(log[id]))
      if (!entry.ok || entry.value.subject !== key) continue
      if (entry.value.assertion.kind === 'MemberRemoved') return entry.value
      // Admitted again after the removal: not removed now.
      if (entry.value.assertion.kind === 'SpaceMember') return undefined
    }
    return undefined
  }

  /**
   * The latest Profile each identity signed into this space's log (later issuedAt wins, then the larger id); the
   * fold ignores them, so each is verified here, its chain judged at its own issuedAt as the fold judges entries.
   */
  profiles(): ReadonlyMap<PublicKey, Profile & { readonly issuedAt: number; readonly id: string }> {
    const latest = new Map<PublicKey, Profile & { readonly issuedAt: number; readonly id: string }>()
    for (const stored of Object.values(recordIn(this.#root.doc().log))) {
      const decoded = decodeCredential(toPlain(stored))
      if (!decoded.ok) continue
      const entry = decoded.value
      const { assertion } = entry
      if (assertion.kind !== 'Profile') continue
      const known = latest.get(entry.issuer)
      if (
        known !== undefined &&
        (known.issuedAt > entry.issuedAt || (known.issuedAt === entry.issuedAt && known.id > entry.id))
      )
        continue
      if (!verifyCredential(entry, { clock: { now: () => entry.issuedAt } }).ok) continue
      latest.set(entry.issuer, {
        displayName: assertion.displayName,
        avatar: assertion.avatar,
        issuedAt: entry.issuedAt,
        id: entry.id,
      })
    }
    return latest
  }

  /** `NotAllowed` unless the actor's role may do `action` (the policy's table). */
  permit(actor: Actor, action: SpaceAction): Result<void, NotAllowed> {
    const role = this.roleOf(actor.identity)
    if (can(role, action)) return ok(undefined)
    return err(new NotAllowed(`${actor.identity} is ${role ?? 'not a member'} in this space and may not ${action}`))
  }

  admit(actor: Actor, subject: PublicKey, role: SpaceRole): Result<Credential, NotAllowed> {
    return this.#membership.admit(actor, subject, role)
  }

  remove(actor: Actor, subject: PublicKey): Result<Credential, NotAllowed> {
    return this.#membership.remove(actor, subject)
  }

  append(entry: Credential): void {
    this.#membership.append(entry)
  }

  invite(
    actor: Actor,
    invitation: { key: PublicKey; role: SpaceRole; uses: number; until: number },
  ): Result<Credential, NotAllowed> {
    return this.#membership.invite(actor, invitation)
  }

  cancelInvitation(actor: Actor, key: PublicKey): Result<Credential, NotAllowed> {
    return this.#membership.cancelInvitation(actor, key)
  }

  admitGuest(actor: Actor, use: Credential): Result<Credential, NotAllowed> {
    return this.#membership.admitGuest(actor, use)
  }

  /** See `Space.recordDeviceRevocation`. */
  recordDeviceRevocation(
    actor: Actor,
    device: PublicKey,
    evidence: readonly Credential[],
    place: boolean,
  ): Result<readonly Credential[], NotAllowed> {
    const allowed = this.permit(actor, 'revoke-device')
    if (!allowed.ok) return allowed
    const log = Object.values(recordIn(this.#root.doc().log)).flatMap((stored) => {
      const entry = decodeCredential(toPlain(stored))
      return entry.ok ? [entry.value] : []
    })
    const ofDevice = (entry: Credential) =>
      entry.assertion.kind === 'DeviceRevoked' && entry.issuer === actor.identity && entry.subject === device
    // Whether it counts or not, one placed revocation per device and signer: a second would change nothing.
    const placed = log.some(
      (entry) => ofDevice(entry) && entry.parents.length > 0 && entry.proof.signer === actor.signer.key.publicKey,
    )
    const written: Credential[] = []
    if (place && !placed) {
      const parents = this.#membership.state.get().heads
      written.push(issueDeviceRevocation({ actor, space: this.#id, device, parents, clock: this.#clock }))
    }
    // By copy key, each beside what holds its id: a thief's copy of a revocation (its chain put through the thief's
    // device) must neither keep out of the log, nor be put over, the copy that counts once the thief is revoked.
    const present = new Set<string>(log.map(copyKey))
    const copies = evidence.filter((entry) => ofDevice(entry) && !present.has(copyKey(entry)))
    for (const entry of written) this.#membership.append(entry)
    for (const entry of copies) this.#membership.appendCopy(entry)
    return ok([...written, ...copies])
  }
}
