import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { generateKeyPair, type IdentityKey } from '../../halo'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientsClosedAfterEach, expectOk } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'
import { haloOf } from '../testing/share-space'
import { stranger } from './testing/stranger-host'

/**
 * Review 13 G7: opening a link with an identity here sent, at once and with no click, the real identity key, device
 * key, chain and storage id to whoever stood in the link's room (a link anyone can make, a room anyone who saw it
 * can enter). Now a throwaway identity looks first, and the real one meets only the host it proved, after Join.
 */
describe('opening an invitation link with an identity here', () => {
  const open = clientsClosedAfterEach()

  it(
    'shows the offer to a throwaway identity: nobody in the room hears the real one, before Join or after',
    { timeout: 60_000 },
    async () => {
      const network = new FakeTrystero()
      const ada = await open(fakeBrowser(network).edges)
      expectOk(await ada.identity.create({ displayName: 'Ada', avatar: { colour: '#2f5d50' } }, 'Laptop'))
      const bobBrowser = fakeBrowser(network)
      const bob = await open(bobBrowser.edges)
      expectOk(await bob.identity.create({ displayName: 'Bob', avatar: { colour: '#2f5d50' } }, 'Laptop'))
      const bobHalo = await haloOf(bobBrowser)
      const garden = expectOk(await ada.spaces.create('Garden plans'))
      const link = expectOk(await ada.invites.create(garden.id, { role: 'editor' }))
      // Mallory saw the link: she stands in its room with an identity of her own and records what she is sent.
      const mallory = stranger(fakeBrowser(network).edges.trystero, link.url, false, generateKeyPair<IdentityKey>())

      const join = expectOk(await bob.invites.join(expectOk(bob.invites.read(link.url))))
      const found = await until(join.state, (state) => ['found', 'failed', 'joined'].includes(state.kind))
      expect(found).toMatchObject({ kind: 'found', spaceName: 'Garden plans', inviter: { name: 'Ada' } })
      // Bob's side met her (she holds its Hello), and it named neither his identity nor his device.
      await until(new Polled(() => (mallory.heard.length > 0 ? true : undefined)), (heard) => heard === true)
      const names = (key: string) => mallory.heard.some((frame) => frame.includes(key))
      expect(mallory.heard.some((frame) => frame.includes('"identity"'))).toBe(true)
      expect([names(bobHalo.identityKey), names(bobHalo.deviceKey)]).toEqual([false, false])

      expectOk(await join.accept())
      expect(await until(join.state, (state) => ['joined', 'failed'].includes(state.kind))).toEqual({
        kind: 'joined',
        spaceId: garden.id,
      })
      // Joining as Bob met Ada only.
      expect([names(bobHalo.identityKey), names(bobHalo.deviceKey)]).toEqual([false, false])
      await mallory.leave()
    },
  )
})
