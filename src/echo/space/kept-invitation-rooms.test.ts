// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, T0, uniqueDatabaseName } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { toBase64Url, toHex, utf8 } from '../../base'
import { invitationKey, inviteRendezvous, newLinkSecret, signWith } from '../../halo'
import type { SpaceDoc } from './documents'
import { toPlain } from './documents'
import { invitationRoomEntry } from './invitation-rooms'
import { dbOf, documentsOf, rootOf } from '../testing/internals'

const HOUR = 60 * 60_000

const entryIn = (doc: SpaceDoc, key: string): unknown => (toPlain(doc.inviteRooms) as Record<string, unknown>)[key]

/** Review 16, K3: an editor (who writes the root by design) deleted or overwrote an open invitation's room entry. */
describe('an invitation room this device verified', () => {
  it('is kept and written back when an editor deletes or overwrites the root’s entry; a forged one is not kept', async () => {
    const name = uniqueDatabaseName()
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock, name })
    const ada = makeActor()
    const eve = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    space.admit(ada, eve.identity, 'editor')
    const secret = newLinkSecret()
    const key = invitationKey(secret).publicKey
    const room = invitationRoomEntry(space.id, secret)
    expect(space.invite(ada, { key, role: 'editor', uses: 1, until: T0 + HOUR }, room).ok).toBe(true)
    const rendezvous = inviteRendezvous(secret)
    const root = rootOf(space)

    // Eve's synced changes, as the mesh applies them to Ada's root: deleted, then another rendezvous signed by
    // another key (the room of her choosing), then the whole field replaced by junk.
    const forged = invitationRoomEntry(space.id, newLinkSecret())
    const changes: ((doc: SpaceDoc) => void)[] = [
      (doc) => {
        if (doc.inviteRooms !== undefined) Reflect.deleteProperty(doc.inviteRooms, key)
      },
      (doc) => {
        if (doc.inviteRooms !== undefined) doc.inviteRooms[key] = forged
      },
      (doc) => {
        ;(doc as { inviteRooms: unknown }).inviteRooms = 'junk'
      },
    ]
    for (const change of changes) {
      root.change(change)
      expect(space.invitationRooms.get()).toEqual(new Map([[key, rendezvous]]))
      // Ada may write the root: the entry she kept is put back once the change is done.
      await expect.poll(() => entryIn(root.doc(), key)).toEqual(room)
    }

    // Eve's entry under a key of her own, signed by it, for no invitation in the log: not a room, not kept.
    const hers = invitationKey(newLinkSecret()).publicKey
    root.change((doc) => {
      if (doc.inviteRooms !== undefined) doc.inviteRooms[hers] = forged
    })
    expect([...space.invitationRooms.get().keys()]).toEqual([key])
    expect(await echo.flush()).toEqual({ ok: true, value: undefined })
    expect(await dbOf(echo).invitationRooms.toArray()).toEqual([
      { key: `${space.id}/${key}`, spaceId: space.id, inviteKey: key, entry: room },
    ])
    const url = root.url
    await echo.close()

    // Opened again on a root that lost the entry while the space was closed: the device's copy is hosted from.
    const again = openTestEcho({ clock, name })
    const reopenedRoot = await documentsOf(again).find<SpaceDoc>(url)
    reopenedRoot.change((doc) => {
      if (doc.inviteRooms !== undefined) Reflect.deleteProperty(doc.inviteRooms, key)
    })
    expect(entryIn(reopenedRoot.doc(), key)).toBeUndefined()
    const reopened = await again.openSpace(space.id)
    if (!reopened.ok) throw reopened.error
    expect(reopened.value.invitationRooms.get()).toEqual(new Map([[key, rendezvous]]))
    await expect.poll(() => entryIn(reopenedRoot.doc(), key)).toEqual(room)
    await again.close()
  })

  it('stays the one this device kept when a holder of K put another signed entry in the root while it was closed', async () => {
    const name = uniqueDatabaseName()
    const clock = new ManualClock(T0)
    const echo = openTestEcho({ clock, name })
    const ada = makeActor()
    const space = await echo.createSpace(ada, 'Garden plans')
    const secret = newLinkSecret()
    const pair = invitationKey(secret)
    const key = pair.publicKey
    const room = invitationRoomEntry(space.id, secret)
    expect(space.invite(ada, { key, role: 'editor', uses: 5, until: T0 + HOUR }, room).ok).toBe(true)
    const rendezvous = inviteRendezvous(secret)
    expect(await echo.flush()).toEqual({ ok: true, value: undefined })
    const url = rootOf(space).url
    await echo.close()

    // A guest the link admitted as an editor holds K: it signs a rendezvous of its choice, and its change reaches
    // the root before Ada's device opens the space again.
    const theirs = toBase64Url(crypto.getRandomValues(new Uint8Array(32)))
    const signed = utf8(`commonplace/invitation-rendezvous/v1|${space.id}|${key}|${theirs}`)
    const other = { rendezvous: theirs, sig: toHex(signWith(pair, signed)) }
    const again = openTestEcho({ clock, name })
    const reopenedRoot = await documentsOf(again).find<SpaceDoc>(url)
    reopenedRoot.change((doc) => {
      if (doc.inviteRooms !== undefined) doc.inviteRooms[key] = other
    })
    const reopened = await again.openSpace(space.id)
    if (!reopened.ok) throw reopened.error
    expect(reopened.value.invitationRooms.get()).toEqual(new Map([[key, rendezvous]]))
    expect(await again.flush()).toEqual({ ok: true, value: undefined })
    expect((await dbOf(again).invitationRooms.toArray()).map((row) => row.entry)).toEqual([room])
    await again.close()
  })
})
