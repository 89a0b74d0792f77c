import { describe, expect, it } from 'vitest'
import type { SpaceId } from '../../echo'
import type { IdentityKey } from '../../halo'
import {
  CLOSE_EVERY_MS,
  MAX_CLOSE_EVERY_MS,
  MISSING_FOR_MS,
  OwnDevicesWatch,
  type RoomPeers,
} from './own-devices-watch'

const ada = 'ada' as IdentityKey
const bea = 'bea' as IdentityKey
const personal = 'personal' as SpaceId
const garden = 'garden' as SpaceId

const room = (spaceId: SpaceId, peers: Record<string, IdentityKey | null>, kept = false): RoomPeers => ({
  spaceId,
  kept,
  peers: new Map(Object.entries(peers).map(([id, identity]) => [id, { identity }])),
})

describe('OwnDevicesWatch', () => {
  it('closes the connection of a device of ours met in a space but missing from our personal room, once a minute', () => {
    const watch = new OwnDevicesWatch()
    // The phone is met in Garden (with Bea), never in the personal room.
    const rooms = [room(personal, {}), room(garden, { phone: ada, beas: bea })]
    expect(watch.check(0, rooms, personal, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS - 1, rooms, personal, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS, rooms, personal, ada)).toEqual(['phone'])
    // Met again over a new connection and missing again: not closed again within the minute.
    expect(watch.check(MISSING_FOR_MS + 1, rooms, personal, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS + CLOSE_EVERY_MS - 1, rooms, personal, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS + CLOSE_EVERY_MS, rooms, personal, ada)).toEqual(['phone'])
  })

  it('closes the connection of a device of ours met only in a kept room of our personal space', () => {
    const watch = new OwnDevicesWatch()
    // The first generation's room is kept for devices catching up; the two never met in the current one.
    const rooms = [room(personal, {}), room(personal, { phone: ada }, true)]
    expect(watch.check(0, rooms, personal, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS - 1, rooms, personal, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS, rooms, personal, ada)).toEqual(['phone'])
    // Without the current room joined (a kept one alone), nobody is missing.
    const keptOnly = [room(personal, { tablet: ada }, true)]
    expect(watch.check(0, keptOnly, personal, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS * 2, keptOnly, personal, ada)).toEqual([])
  })

  it('waits twice as long after each close of a device that stays in a kept room, up to 16 minutes, until it is met in the current one', () => {
    const watch = new OwnDevicesWatch()
    const stuck = [room(personal, {}), room(personal, { phone: ada }, true)]
    // Checked every 5 s: the closes come at 20 s, then 1, 2, 4, 8, 16 and 16 minutes after the one before.
    const closes: number[] = []
    for (let now = 0; now <= 60 * CLOSE_EVERY_MS; now += 5_000) {
      if (watch.check(now, stuck, personal, ada).length > 0) closes.push(now)
    }
    const gaps = closes.slice(1).map((at, n) => (at - (closes[n] ?? 0)) / CLOSE_EVERY_MS)
    expect(closes[0]).toBe(MISSING_FOR_MS)
    expect(gaps).toEqual([1, 2, 4, 8, 16, 16])
    expect(Math.max(...gaps) * CLOSE_EVERY_MS).toBe(MAX_CLOSE_EVERY_MS)
    // Met in the current room, it is in step: missing again later, it is closed after 20 s and then a minute.
    const last = closes.at(-1) ?? 0
    const met = [room(personal, { phone: ada }), room(personal, { phone: ada }, true)]
    expect(watch.check(last + 5_000, met, personal, ada)).toEqual([])
    expect(watch.check(last + 10_000, stuck, personal, ada)).toEqual([])
    const again = last + 10_000 + MISSING_FOR_MS
    expect(watch.check(again, stuck, personal, ada)).toEqual(['phone'])
    expect(watch.check(again + 5_000, stuck, personal, ada)).toEqual([])
    expect(watch.check(again + CLOSE_EVERY_MS, stuck, personal, ada)).toEqual(['phone'])
  })

  it('leaves a device that is in our personal room, a kept one beside it too, or came there in time', () => {
    const watch = new OwnDevicesWatch()
    const met = [room(personal, { phone: ada }), room(personal, { phone: ada }, true), room(garden, { phone: ada })]
    expect(watch.check(0, met, personal, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS * 3, met, personal, ada)).toEqual([])
    // Missing for a while, then met there: the wait starts over when it goes missing again.
    const missing = [room(personal, {}), room(garden, { tablet: ada })]
    expect(watch.check(0, missing, personal, ada)).toEqual([])
    expect(
      watch.check(MISSING_FOR_MS - 1, [room(personal, { tablet: ada }), room(garden, { tablet: ada })], personal, ada),
    ).toEqual([])
    expect(watch.check(MISSING_FOR_MS, missing, personal, ada)).toEqual([])
    expect(watch.check(2 * MISSING_FOR_MS, missing, personal, ada)).toEqual(['tablet'])
  })

  it('leaves other identities’ devices, and everyone while our personal room is not known or not joined', () => {
    const watch = new OwnDevicesWatch()
    const rooms = [room(personal, {}), room(garden, { beas: bea, guest: null })]
    expect(watch.check(0, rooms, personal, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS * 2, rooms, personal, ada)).toEqual([])
    const phoneInGarden = [room(garden, { phone: ada })]
    expect(watch.check(0, phoneInGarden, undefined, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS * 2, phoneInGarden, undefined, ada)).toEqual([])
    expect(watch.check(MISSING_FOR_MS * 4, phoneInGarden, personal, ada)).toEqual([])
  })
})
