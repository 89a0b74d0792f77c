import { describe, expect, it } from 'vitest'
import type { SpaceId } from '../../echo'
import type { IdentityKey } from '../../halo'
import { CLOSE_EVERY_MS, MISSING_FOR_MS, OwnDevicesWatch, type RoomPeers } from './own-devices-watch'

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
