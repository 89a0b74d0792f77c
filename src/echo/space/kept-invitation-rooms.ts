/**
 * Each open invitation's rendezvous R_K as this device verified it, kept apart from the root (review 16, K3). The
 * root's `inviteRooms` is the only place an invitation's room is written, once, by its inviter, who then wipes K:
 * an editor (who writes the root by design) could delete or overwrite the entry and no host, the inviter included,
 * could find the room again. So the first entry this device saw that its invite key signed, for an invitation in
 * the log, is kept in the device's table (`invitation-room-store.ts`) and hosted from; a forged one (another key's
 * signature, an invite key the log does not hold) is never kept. While the invitation is before its `until`, an
 * entry the root lost (deleted, or replaced by a value that does not verify) is written back, as the membership log
 * does, by a device whose identity may write the root (a viewer's write would be refused by every peer, and its
 * later changes with it). Another valid copy in the root is left alone: two devices never overwrite each other.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Clock, Observable } from '../../base'
import { Cell, fromBase64Url } from '../../base'
import type { SpaceId } from '../ids'
import type { MembershipState } from '../membership/fold'
import type { InvitationRoomStore } from '../storage/invitation-room-store'
import type { SpaceDoc } from './documents'
import type { InvitationRoomEntry } from './invitation-rooms'
import { entryOf, invitationRoomsIn, keepInvitationRooms, rendezvousOf } from './invitation-rooms'

interface Kept {
  readonly entry: InvitationRoomEntry
  readonly rendezvous: Uint8Array
}

const same = (a: InvitationRoomEntry, b: InvitationRoomEntry): boolean =>
  a.rendezvous === b.rendezvous && a.sig === b.sig

export class KeptInvitationRooms {
  readonly #space: SpaceId
  readonly #root: DocHandle<SpaceDoc>
  readonly #store: InvitationRoomStore
  readonly #state: Observable<MembershipState>
  readonly #clock: Clock
  readonly #mayWrite: () => boolean
  /** Verified entries by invite key: the first this device saw (from its table or the root). */
  readonly #kept = new Map<string, Kept>()
  /** The last root value verified per invite key of the log, and its verdict: each value costs one verify. */
  readonly #checked = new Map<string, { readonly entry: InvitationRoomEntry; readonly rendezvous?: Uint8Array }>()
  readonly #rooms = new Cell<ReadonlyMap<string, Uint8Array>>(new Map())
  #writeBackQueued = false

  constructor(
    space: SpaceId,
    root: DocHandle<SpaceDoc>,
    context: { readonly store: InvitationRoomStore; readonly clock: Clock; readonly mayWrite: () => boolean },
    state: Observable<MembershipState>,
  ) {
    this.#space = space
    this.#root = root
    this.#store = context.store
    this.#clock = context.clock
    this.#mayWrite = context.mayWrite
    this.#state = state
    root.on('change', ({ patches }) => {
      if (patches.some((patch) => patch.path.length === 0 || patch.path[0] === 'inviteRooms')) this.#look()
    })
    // An invitation and its room come in separate changes of the root, in either order.
    state.subscribe(() => this.#look())
    this.#look()
  }

  /** Adds the entries this device kept earlier; call once when the space is opened, after the membership. */
  async load(): Promise<void> {
    const stored = await this.#store.load(this.#space)
    // Only verified entries are stored: their signatures are not checked again. A stored one was seen first, in an
    // earlier session: it wins over what the root held when this one began (another entry its key signed, put there
    // by a holder of K while the space was closed: review 17, M2), which the table, adding only, did not take.
    for (const [key, value] of stored) {
      const entry = entryOf(value)
      const rendezvous = entry === undefined ? undefined : fromBase64Url(entry.rendezvous)
      if (entry !== undefined && rendezvous?.length === 32) this.#kept.set(key, { entry, rendezvous })
    }
    this.#look()
  }

  /** R_K of each invitation in the log whose room entry this device verified, by invite key. */
  get rooms(): Observable<ReadonlyMap<string, Uint8Array>> {
    return this.#rooms
  }

  /** R_K of the root's `entry` for invite key `key` if that key signed it; a value is verified once. */
  #verified(key: string, entry: InvitationRoomEntry): Uint8Array | undefined {
    const last = this.#checked.get(key)
    if (last !== undefined && same(last.entry, entry)) return last.rendezvous
    const rendezvous = rendezvousOf(this.#space, key, entry)
    this.#checked.set(key, rendezvous === undefined ? { entry } : { entry, rendezvous })
    return rendezvous
  }

  #look(): void {
    const inRoot = invitationRoomsIn(this.#root.doc())
    const fresh = new Map<string, InvitationRoomEntry>()
    const rooms = new Map<string, Uint8Array>()
    let lost = false
    const now = this.#clock.now()
    for (const invitation of this.#state.get().invitations) {
      const { key } = invitation
      const entry = inRoot.get(key)
      let kept = this.#kept.get(key)
      if (kept === undefined) {
        const rendezvous = entry === undefined ? undefined : this.#verified(key, entry)
        if (entry === undefined || rendezvous === undefined) continue
        kept = { entry, rendezvous }
        this.#kept.set(key, kept)
        fresh.set(key, entry)
      } else if (now <= invitation.until && !this.#holds(key, kept, entry)) {
        lost = true
      }
      rooms.set(key, kept.rendezvous)
    }
    this.#store.keep(this.#space, fresh)
    if (lost) this.#queueWriteBack()
    const current = this.#rooms.get()
    const changed = rooms.size !== current.size || [...rooms].some(([key, bytes]) => current.get(key) !== bytes)
    if (changed) this.#rooms.set(rooms)
  }

  /** Whether the root's `entry` is ours or another copy its key signed (left alone). */
  #holds(key: string, kept: Kept, entry: InvitationRoomEntry | undefined): boolean {
    return entry !== undefined && (same(entry, kept.entry) || this.#verified(key, entry) !== undefined)
  }

  /** Writes back the kept entries of live invitations the root lost, after the change that did it is done. */
  #queueWriteBack(): void {
    if (this.#writeBackQueued || !this.#mayWrite()) return
    this.#writeBackQueued = true
    queueMicrotask(() => {
      this.#writeBackQueued = false
      const inRoot = invitationRoomsIn(this.#root.doc())
      const now = this.#clock.now()
      const lost = new Map<string, InvitationRoomEntry>()
      for (const invitation of this.#state.get().invitations) {
        const kept = this.#kept.get(invitation.key)
        if (kept === undefined || now > invitation.until) continue
        if (!this.#holds(invitation.key, kept, inRoot.get(invitation.key))) lost.set(invitation.key, kept.entry)
      }
      keepInvitationRooms(this.#root, lost)
    })
  }
}
