import type { IdentityKey } from '../../halo'
import type { SpaceId } from '../../echo'

/**
 * How long a device of our own identity may be met in another room (a space's, or a kept one of our personal space)
 * while missing from our personal space's current room before its connection is closed: longer than a handshake
 * (15 s) and a lonely rejoin (4 s) together, and than a device catching up through a kept room takes to move on.
 */
export const MISSING_FOR_MS = 20_000
/**
 * One device's connection is closed this way at most once a minute, so a new one that misses too does not loop; and
 * each close doubles the wait before the next, up to `MAX_CLOSE_EVERY_MS`, until the device is met in our personal
 * room: one that cannot move on (it stays in a kept room, catching up) was cut once a minute for good (review).
 */
export const CLOSE_EVERY_MS = 60_000
export const MAX_CLOSE_EVERY_MS = 16 * CLOSE_EVERY_MS

/** How long after its `count`th close a device's connection may be closed again. */
const waitAfter = (count: number): number => Math.min(CLOSE_EVERY_MS * 2 ** (count - 1), MAX_CLOSE_EVERY_MS)
/** How often the mesh looks. */
export const OWN_DEVICES_CHECK_MS = 5_000

/** A room's admitted peers: by Trystero page id, the identity each proved. */
export interface RoomPeers {
  readonly spaceId: SpaceId
  /** A room kept below its space's current generation, for members catching up. */
  readonly kept: boolean
  readonly peers: ReadonlyMap<string, { readonly identity: IdentityKey | null }>
}

/**
 * Every device of an identity is in its personal space's room whenever its mesh runs, so one of ours met in another
 * room and missing from the personal room's for long is out of step with us on the connection Trystero shares among
 * the rooms: it binds a room to that connection only on a presence frame or an announce (one a minute), and a
 * meeting cut there (a reload during a handshake, two connections crossing) was not tried again for 46 s and more
 * (`e2e/hostile-peer.spec.ts`, the member case: Ada's laptop and phone met in Garden only, so the phone never got
 * the laptop's new Garden secret from the personal space, and the two sat in rooms of their own). Closing that
 * connection makes both ends meet again over a new one in every room, as after a reload. Only our own identity's
 * devices count: a member of a space is in no personal room of ours.
 */
export class OwnDevicesWatch {
  readonly #missingSince = new Map<string, number>()
  /** Each device whose connection was closed: when last, and how many times since it was last in step. */
  readonly #closed = new Map<string, { readonly at: number; readonly count: number }>()

  /** The page ids of our devices whose connection to close now. */
  check(now: number, rooms: readonly RoomPeers[], personal: SpaceId | undefined, own: IdentityKey): string[] {
    const inPersonal = new Set<string>()
    const ownElsewhere = new Set<string>()
    // Our personal space's current room: a device met only in a kept one (CI, 2026-11-29: a laptop and phone met in
    // the first generation's room and timed out in the fourth's, again and again) is missing from it too.
    const current = (room: RoomPeers): boolean => room.spaceId === personal && !room.kept
    for (const room of rooms) {
      for (const [id, peer] of room.peers) {
        if (current(room)) inPersonal.add(id)
        else if (peer.identity === own) ownElsewhere.add(id)
      }
    }
    // Without our personal room joined (not known yet, or left while stopping), nobody is missing from it.
    if (personal === undefined || !rooms.some(current)) ownElsewhere.clear()
    for (const id of [...this.#missingSince.keys()]) {
      if (!ownElsewhere.has(id) || inPersonal.has(id)) this.#missingSince.delete(id)
    }
    // Met in our personal room, a device is in step again; met nowhere past its wait, it is forgotten.
    for (const [id, closed] of [...this.#closed]) {
      if (inPersonal.has(id) || (!ownElsewhere.has(id) && now - closed.at >= waitAfter(closed.count))) {
        this.#closed.delete(id)
      }
    }
    const due: string[] = []
    for (const id of ownElsewhere) {
      if (inPersonal.has(id)) continue
      const since = this.#missingSince.get(id) ?? now
      this.#missingSince.set(id, since)
      const closed = this.#closed.get(id)
      if (now - since < MISSING_FOR_MS || (closed !== undefined && now - closed.at < waitAfter(closed.count))) continue
      this.#missingSince.delete(id)
      this.#closed.set(id, { at: now, count: (closed?.count ?? 0) + 1 })
      due.push(id)
    }
    return due
  }
}
