import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import type { SpaceId } from '../../echo'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals, type Client } from '../client'
import { clientsClosedAfterEach, expectOk, linkDevice } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import { haloOf, shareSpace } from '../testing/share-space'

const open = clientsClosedAfterEach()
const WAIT = { timeout: 15_000 }

const secretOf = (client: Client, spaceId: string) => clientInternals(client)?.spaceSecret(spaceId as SpaceId)

/** Space room ids (app `commonplace/1`) a page is in now. */
const spaceRoomsOf = (network: FakeTrystero, tab: Pick<ReturnType<typeof fakeBrowser>, 'trystero'>) =>
  network
    .roomsOf(tab.trystero)
    .filter((room) => room.appId === 'commonplace/1')
    .map((room) => room.roomId)

const titlesOf = (items: readonly { title: string }[] | undefined): string[] => items?.map((task) => task.title) ?? []

/** Ada's laptop and linked phone, both with "Garden plans" open, shared with Bea as an editor. */
const adaTwoDevicesAndBea = async () => {
  const network = new FakeTrystero({ reconnect: true })
  const laptopBrowser = fakeBrowser(network)
  const laptop = await open(laptopBrowser.edges)
  expectOk(await laptop.identity.create({ displayName: 'Ada', avatar: { colour: '#1f5fa8' } }, 'Laptop'))
  const phoneBrowser = fakeBrowser(network)
  const phone = await open(phoneBrowser.edges)
  expect((await linkDevice(laptop, phone, 'Phone')).state.get().kind).toBe('linked')
  await until(phone.identity.state, (state) => state.kind === 'ready')
  const beaBrowser = fakeBrowser(network)
  const bea = await open(beaBrowser.edges)
  expectOk(await bea.identity.create({ displayName: 'Bea', avatar: { colour: '#a81f5f' } }, 'Laptop'))

  const created = expectOk(await laptop.spaces.create('Garden plans'))
  const onLaptop = expectOk(await laptop.spaces.open(created.id))
  expectOk(await onLaptop.createTask('Before'))
  await shareSpace(
    { client: laptop, browser: laptopBrowser },
    { client: bea, browser: beaBrowser },
    created.id,
    'editor',
  )
  await until(bea.spaces.list, (list) => list?.some((space) => space.id === created.id) === true)
  await until(phone.spaces.list, (list) => list?.some((space) => space.id === created.id) === true)
  const onBea = expectOk(await bea.spaces.open(created.id))
  const onPhone = expectOk(await phone.spaces.open(created.id))
  await until(onBea.tasks(''), (items) => titlesOf(items).includes('Before'))
  const phoneTasks = onPhone.tasks('')
  await until(phoneTasks, (items) => titlesOf(items).includes('Before'))
  const beaIdentity = (await haloOf(beaBrowser)).identityKey
  // Everyone in the first generation's room, with the same secret.
  await vi.waitFor(() => {
    expect(secretOf(phone, created.id)?.secret).toEqual(secretOf(laptop, created.id)?.secret)
    expect(secretOf(bea, created.id)?.secret).toEqual(secretOf(laptop, created.id)?.secret)
  }, WAIT)
  return {
    network,
    laptop,
    phone,
    bea,
    laptopBrowser,
    phoneBrowser,
    beaBrowser,
    spaceId: created.id,
    onLaptop,
    onPhone,
    phoneTasks,
    beaIdentity,
  }
}

describe("the remover's two devices after a removal", () => {
  it('end in one room of the next generation and keep syncing both ways; the removed member never joins it', async () => {
    const {
      network,
      laptop,
      phone,
      bea,
      laptopBrowser,
      phoneBrowser,
      beaBrowser,
      spaceId,
      onLaptop,
      onPhone,
      phoneTasks,
      beaIdentity,
    } = await adaTwoDevicesAndBea()
    const earlier = new Set([...spaceRoomsOf(network, laptopBrowser), ...spaceRoomsOf(network, phoneBrowser)])
    // Every space room each page joins from now on, however briefly.
    const joined = new Map<string, Set<string>>()
    const join = network.join.bind(network)
    network.join = (page, config, roomId, callbacks) => {
      if (config.appId === 'commonplace/1' && !earlier.has(roomId))
        joined.set(page.selfId, (joined.get(page.selfId) ?? new Set()).add(roomId))
      return join(page, config, roomId, callbacks)
    }
    // The phone hears of the removal and of the laptop's new box only once the laptop has moved on (as over a relay
    // under load): it sees the removal first and may draw a secret of its own for the same generation.
    const [laptopPeer, phonePeer] = [laptopBrowser.trystero.selfId, phoneBrowser.trystero.selfId]
    network.hold(laptopPeer, phonePeer)
    expectOk(await onLaptop.removeMember(beaIdentity))
    await vi.waitFor(() => {
      expect(secretOf(laptop, spaceId)?.generation).toBe(2)
    }, WAIT)
    network.release(laptopPeer, phonePeer)
    await vi.waitFor(() => {
      expect(secretOf(phone, spaceId)?.generation).toBe(2)
      expect(secretOf(phone, spaceId)?.secret).toEqual(secretOf(laptop, spaceId)?.secret)
    }, WAIT)
    expectOk(await onLaptop.createTask('After the removal'))
    await until(phoneTasks, (items) => titlesOf(items).includes('After the removal'))
    expectOk(await onPhone.createTask('Back from the phone'))
    await until(onLaptop.tasks(''), (items) => titlesOf(items).includes('Back from the phone'))
    const fresh = spaceRoomsOf(network, laptopBrowser).filter((roomId) => !earlier.has(roomId))
    expect(fresh).toHaveLength(1)
    expect(spaceRoomsOf(network, phoneBrowser).filter((roomId) => !earlier.has(roomId))).toEqual(fresh)
    // Only the laptop drew: neither device was ever in a room of a secret the other drew.
    expect([...(joined.get(laptopPeer) ?? [])]).toEqual(fresh)
    expect([...(joined.get(phonePeer) ?? [])]).toEqual(fresh)
    expect(spaceRoomsOf(network, beaBrowser).some((roomId) => fresh.includes(roomId))).toBe(false)
    expect(secretOf(bea, spaceId)?.generation).toBe(1)
  }, 90_000)
})
