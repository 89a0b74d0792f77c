import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { SpaceId } from '../../echo'
import { generateKeyPair, type IdentityKey } from '../../halo'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals } from '../client'
import { clientsClosedAfterEach, echoOf, expectOk } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'
import { haloOf } from '../testing/share-space'
import { storedOf } from './testing/stored-of'
import { strangerHost } from './testing/stranger-host'

const WAIT = { timeout: 90_000 }

/**
 * Issue 13, N10: Mallory, an admin Ada removed, kept the log from before her removal, which holds Ada's open
 * invitation. She stands in its room (the room comes from the log) and shows that log: what the guest believes.
 */
describe('a removed member who kept an old log poses as an invitation host', () => {
  const open = clientsClosedAfterEach()

  it('is believed as the host: the guest is offered the space by her, and cannot tell', WAIT, async () => {
    const network = new FakeTrystero()
    const adaBrowser = fakeBrowser(network)
    const ada = await open(adaBrowser.edges)
    expectOk(await ada.identity.create({ displayName: 'Ada', avatar: { colour: '#2f5d50' } }, 'Laptop'))
    const bob = await open(fakeBrowser(network).edges)
    expectOk(await bob.identity.create({ displayName: 'Bob', avatar: { colour: '#2f5d50' } }, 'Laptop'))
    const garden = expectOk(await ada.spaces.create('Garden plans'))
    const gardenId = garden.id as SpaceId
    const mallory = generateKeyPair<IdentityKey>()
    const adaHalo = await haloOf(adaBrowser)
    const space = expectOk(await (await echoOf(ada)).openSpace(gardenId))
    const adaActor = { identity: adaHalo.identityKey, signer: adaHalo.signer }
    expectOk(space.admit(adaActor, mallory.publicKey, 'admin'))
    const link = expectOk(await ada.invites.create(garden.id, { role: 'editor' }))
    // What Mallory kept: the log as it was before Ada removed her.
    const offer = {
      spaceName: 'Garden plans',
      delegation: space.entry(link.id),
      profile: null,
      heads: [...space.membership.get().heads],
      log: space.logValues(),
    }
    expectOk(space.remove(adaActor, mallory.publicKey))
    const entries = space.logValues().length
    // Ada's removal rotates the space's secret: Mallory's generation is not the space's any more.
    await until(
      new Polled(() => clientInternals(ada)?.spaceSecret(gardenId)?.generation),
      (generation) => generation === 2,
    )
    await (await echoOf(ada)).settled()
    await ada.close()
    const hostile = strangerHost(fakeBrowser(network).edges.trystero, link.url, { offer }, { identity: mallory })

    // Bob cannot tell: her log lets her admit, and the invitation is live in it.
    const join = expectOk(await bob.invites.join(expectOk(bob.invites.read(link.url))))
    expect(await until(join.state, (state) => state.kind === 'found' || state.kind === 'failed')).toMatchObject({
      kind: 'found',
      role: 'editor',
    })
    // What follows an accept is L20's (her welcome is held until a root admits Bob). Nothing is stored yet,
    // and the real space admitted nobody.
    expect(await storedOf(bob, garden.id)).toEqual({ registered: false, listed: false, boxes: 0 })
    expect(space.logValues()).toHaveLength(entries)
    expect(space.roleOf(mallory.publicKey)).toBeUndefined()
    join.cancel()
    await hostile.leave()
    await (await echoOf(bob)).settled()
  })
})
