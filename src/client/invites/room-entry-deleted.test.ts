import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { Space, SpaceId } from '../../echo'
import { rootOf } from '../../echo/testing/internals'
import { invitationRoomEntry } from '../../echo'
import { newLinkSecret } from '../../halo'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientsClosedAfterEach, echoOf, expectOk } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'
import { shareSpace } from '../testing/share-space'
import type { InviteJoinState } from './invites-api'

const WAIT = { timeout: 120_000 }

/** The root's entry for invite key `key` on the device of `space`, as JSON (undefined when it has none). */
const entryIn = (space: Space, key: string): string | undefined =>
  JSON.stringify(rootOf(space).doc().inviteRooms?.[key])

/**
 * Review 16, K3: Eve, an editor (who writes the root by design), deletes an open invitation's room entry from the
 * space root, then writes one of her own under its key. Ada wiped the link's K once she made it: before the fix no
 * host, Ada neither, found the room again and the link was dead while the log still said it was open.
 */
describe('an editor deletes or overwrites an open invitation’s room in the root', () => {
  const open = clientsClosedAfterEach()
  const person = async (network: FakeTrystero, name: string) => {
    const browser = fakeBrowser(network)
    const client = await open(browser.edges)
    expectOk(await client.identity.create({ displayName: name, avatar: { colour: '#2f5d50' } }, 'Laptop'))
    return { client, browser }
  }
  const joinWith = async (guest: Awaited<ReturnType<typeof person>>, url: string): Promise<InviteJoinState> => {
    const join = expectOk(await guest.client.invites.join(expectOk(guest.client.invites.read(url))))
    const found = await until(join.state, (state) => ['found', 'failed', 'joined', 'refused'].includes(state.kind))
    if (found.kind === 'found') expectOk(await join.accept())
    return until(join.state, (state) => ['joined', 'failed', 'refused'].includes(state.kind))
  }

  it(
    'the inviter and another admin still host it from their own copies, and guests join with the link',
    WAIT,
    async () => {
      const network = new FakeTrystero()
      const ada = await person(network, 'Ada')
      const carl = await person(network, 'Carl')
      const eve = await person(network, 'Eve')
      const garden = expectOk(await ada.client.spaces.create('Garden plans'))
      const id = garden.id as SpaceId
      await shareSpace(ada, carl, id, 'admin')
      await shareSpace(ada, eve, id, 'editor')
      const spaceOf = async (who: typeof ada) => {
        await until(who.client.spaces.list, (list) => list?.some((space) => space.id === id) === true)
        return expectOk(await (await echoOf(who.client)).openSpace(id))
      }
      const [adaSpace, carlSpace, eveSpace] = await Promise.all([spaceOf(ada), spaceOf(carl), spaceOf(eve)])
      const link = expectOk(await ada.client.invites.create(id, { role: 'editor', uses: 2 }))
      const invitation = adaSpace.membership.get().invitations.find((each) => each.id === link.id)
      if (invitation === undefined) throw new Error('no invitation')
      const { key } = invitation
      const room = entryIn(adaSpace, key)
      expect(room).toContain('"rendezvous"')
      // Carl's device saw the entry (and verified it) before Eve's changes; Eve's root has it.
      await until(new Polled(() => carlSpace.invitationRooms.get().has(key) || undefined), Boolean)
      await until(new Polled(() => entryIn(eveSpace, key)), (value) => value !== undefined)

      rootOf(eveSpace).change((doc) => {
        if (doc.inviteRooms !== undefined) Reflect.deleteProperty(doc.inviteRooms, key)
      })
      // Ada and Carl heard the deletion and put their copy back: Eve's root holds the signed entry again.
      await until(new Polled(() => entryIn(eveSpace, key) === room || undefined), Boolean)
      const forged = invitationRoomEntry(id, newLinkSecret())
      rootOf(eveSpace).change((doc) => {
        if (doc.inviteRooms !== undefined) doc.inviteRooms[key] = forged
      })
      await until(new Polled(() => entryIn(eveSpace, key) === room || undefined), Boolean)
      const rendezvous = adaSpace.invitationRooms.get().get(key)
      expect(rendezvous).toBeDefined()
      expect(carlSpace.invitationRooms.get().get(key)).toEqual(rendezvous)
      // Nothing else changed: the invitation is as it was, with both uses left.
      expect(adaSpace.membership.get().invitations.find((each) => each.id === link.id)).toEqual(invitation)

      // Bob meets only Carl (frames with Ada held both ways): Carl hosts from his own copy.
      const bob = await person(network, 'Bob')
      network.hold(ada.browser.trystero.selfId, bob.browser.trystero.selfId)
      network.hold(bob.browser.trystero.selfId, ada.browser.trystero.selfId)
      expect(await joinWith(bob, link.url)).toMatchObject({ kind: 'joined', spaceId: id })
      // Dan meets only Ada, the inviter, who wiped K when she made the link.
      const dan = await person(network, 'Dan')
      network.hold(carl.browser.trystero.selfId, dan.browser.trystero.selfId)
      network.hold(dan.browser.trystero.selfId, carl.browser.trystero.selfId)
      expect(await joinWith(dan, link.url)).toMatchObject({ kind: 'joined', spaceId: id })
    },
  )
})
