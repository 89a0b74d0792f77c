import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals, type Client } from '../client'
import { clientsClosedAfterEach, expectOk, linkDevice, personalSpace } from '../testing/client-harness'
import { fakeBrowser, until } from '../testing/fake-edges'
import { Polled } from '../testing/polled'

const open = clientsClosedAfterEach()
const profile = { displayName: 'Ada', avatar: { colour: '#1f5fa8' } }

/** A laptop and a phone linked to it, in sync; then the laptop closes and the phone says when it last synced. */
const syncedThenAlone = async () => {
  const network = new FakeTrystero({ reconnect: true })
  const laptop = await open(fakeBrowser(network).edges)
  expectOk(await laptop.identity.create(profile, 'Laptop'))
  await personalSpace(laptop)
  const phoneBrowser = fakeBrowser(network)
  const phone = await open(phoneBrowser.edges)
  expect((await linkDevice(laptop, phone, 'Phone')).state.get().kind).toBe('linked')
  await until(phone.identity.state, (state) => state.kind === 'ready')
  await until(phone.sync.overall, (status) => status.kind === 'up-to-date')
  await laptop.close()
  const idle = await until(phone.sync.overall, (status) => status.kind === 'idle')
  const laptopRow = (client: Client) => client.identity.devices.get().find((device) => device.name === 'Laptop')
  const seen = laptopRow(phone)?.lastSeenAt
  return { phone, phoneBrowser, idle, seen, laptopRow }
}

/**
 * Resolves once this tab leads a mesh that has joined its rooms: the personal secret is set just before its rooms
 * are joined, in the same turn, so the status it shows from then on is the new tracker's, not one kept from before.
 */
const leadingMesh = (client: Client) =>
  until(new Polled(() => clientInternals(client)?.personalSecret()), (held) => held !== undefined)

describe('last synced, kept by the leader tab', () => {
  it('a reloaded phone still says when it last synced with the laptop, and the laptop keeps its last-seen time', async () => {
    const { phone, phoneBrowser, idle, seen, laptopRow } = await syncedThenAlone()
    expect(idle).toMatchObject({ kind: 'idle', deviceName: 'Laptop' })
    expect(seen).toBeTypeOf('number')
    await phone.close()
    const reloaded = await open(phoneBrowser.openTab().edges)
    await until(reloaded.identity.state, (state) => state.kind === 'ready')
    await personalSpace(reloaded)
    await leadingMesh(reloaded)
    expect(reloaded.sync.overall.get()).toEqual(idle)
    expect(laptopRow(reloaded)?.lastSeenAt).toBe(seen)
  }, 30_000)

  it('a follower tab that takes over from the leader shows the same last sync, from its own mesh', async () => {
    const { phone, phoneBrowser, idle, seen, laptopRow } = await syncedThenAlone()
    const follower = await open(phoneBrowser.openTab().edges)
    expect(follower.tabRole.get()).toBe('follower')
    await until(follower.sync.overall, (status) => status.kind === 'idle')
    await phone.close()
    await until(follower.tabRole, (role) => role === 'leader')
    await leadingMesh(follower)
    expect(follower.sync.overall.get()).toEqual(idle)
    expect(laptopRow(follower)?.lastSeenAt).toBe(seen)
  }, 30_000)
})
