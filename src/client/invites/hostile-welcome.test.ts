import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { SpaceId } from '../../echo'
import { generateKeyPair, swarmRoom, type IdentityKey } from '../../halo'
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
 * Review 13 G5 (review 12 F1 items 2-4): a member who may admit by the log it shows (an admin, or a demoted one
 * showing its log without the demotion) hosts Ada's invitation, and welcomes Bob at generation 2^31 - 1 with a
 * secret and root of its own. Before, Bob stored both in his personal space at once, and his identity could never
 * reach the space again.
 */
describe('a member who hosts an invitation welcomes the guest into a junk secret and root', () => {
  const open = clientsClosedAfterEach()

  it('stores nothing, and a later honest invitation gets the guest into the space', WAIT, async () => {
    const network = new FakeTrystero()
    const adaBrowser = fakeBrowser(network)
    const ada = await open(adaBrowser.edges)
    expectOk(await ada.identity.create({ displayName: 'Ada', avatar: { colour: '#2f5d50' } }, 'Laptop'))
    const bobBrowser = fakeBrowser(network)
    const bob = await open(bobBrowser.edges)
    expectOk(await bob.identity.create({ displayName: 'Bob', avatar: { colour: '#2f5d50' } }, 'Laptop'))
    const garden = expectOk(await ada.spaces.create('Garden plans'))
    const gardenId = garden.id as SpaceId

    // Mallory is an admin by Ada's log: her offer proves she may admit Bob.
    const mallory = generateKeyPair<IdentityKey>()
    const adaHalo = await haloOf(adaBrowser)
    const adaEcho = await echoOf(ada)
    const space = expectOk(await adaEcho.openSpace(gardenId))
    const realRoot = (await adaEcho.listSpaces(adaHalo.identityKey)).find((row) => row.id === garden.id)?.rootUrl
    expectOk(space.admit({ identity: adaHalo.identityKey, signer: adaHalo.signer }, mallory.publicKey, 'admin'))
    const link = expectOk(await ada.invites.create(garden.id, { role: 'editor' }))
    const offer = {
      spaceName: 'Garden plans',
      delegation: space.entry(link.id),
      profile: null,
      heads: [...space.membership.get().heads],
      log: space.logValues(),
    }
    await ada.close()
    const hostile = strangerHost(fakeBrowser(network).edges.trystero, link.url, { offer }, { identity: mallory })

    const first = expectOk(await bob.invites.join(expectOk(bob.invites.read(link.url))))
    expect(await until(first.state, (state) => state.kind === 'found' || state.kind === 'failed')).toMatchObject({
      kind: 'found',
      role: 'editor',
    })
    expectOk(await first.accept())
    await until(first.state, (state) => state.kind === 'receiving')
    // Bob's mesh is in the junk secret's room: it took the welcome.
    const junkRoom = swarmRoom(hostile.welcome.secret, gardenId, hostile.welcome.generation)
    await until(
      new Polled(() => network.configs.some((config) => config.password === junkRoom.password) || undefined),
      (joined) => joined === true,
    )
    expect(hostile.seen.accepts).toBe(1)
    expect(await storedOf(bob, garden.id)).toEqual({ registered: false, listed: false, boxes: 0 })
    first.cancel()
    await hostile.leave()

    const bobHalo = await haloOf(bobBrowser)
    const bobEcho = await echoOf(bob)
    const personalRow = (await bobEcho.listSpaces(bobHalo.identityKey)).find((row) => row.personal === 1)
    const personal = expectOk(await bobEcho.openSpace(personalRow?.id as SpaceId))

    // Ada is back and invites Bob again: he joins the real space, at its real generation.
    const adaBack = await open(adaBrowser.openTab().edges)
    await until(adaBack.identity.state, (state) => state.kind === 'ready')
    const again = expectOk(await adaBack.invites.create(garden.id, { role: 'editor' }))
    const second = expectOk(await bob.invites.join(expectOk(bob.invites.read(again.url))))
    await until(second.state, (state) => state.kind === 'found' || state.kind === 'failed')
    expectOk(await second.accept())
    expect(await until(second.state, (state) => state.kind === 'joined' || state.kind === 'failed')).toEqual({
      kind: 'joined',
      spaceId: garden.id,
    })
    const held = await until(
      new Polled(() => clientInternals(bob)?.spaceSecret(gardenId)),
      (value) => value !== undefined,
    )
    expect(held?.generation).toBe(1)
    expect(realRoot).toBeDefined()
    await until(personal.listedSpaces, (listed) =>
      listed.some((each) => each.spaceId === gardenId && each.rootUrl === realRoot),
    )
    // The secret is sealed to Bob's device once the space is here, at the real generation only.
    const boxes = await until(personal.swarmBoxes(gardenId), (entries) => entries.length > 0)
    expect(boxes.map((entry) => entry.generation)).toEqual([1])
  })
})
