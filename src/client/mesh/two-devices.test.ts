import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Cell, toHex } from '../../base'
import { broadcastChannelNetwork } from '../../echo'
import { generateKeyPair, IdentityStore, swarmRoom, type HaloIdentity, type IdentityKey } from '../../halo'
import { signWith, type DeviceKey } from '../../halo/testing'
import { defaultMeshSettings, joinSwarm, newRepoId, runHandshake } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals, createClient, type Client } from '../client'
import { automergeWasmUrl, fakeBrowser, until } from '../testing/fake-edges'
import { expectOk, personalSpace } from '../testing/client-harness'
import type { PersonalHandover } from './start-mesh'

const wasm = automergeWasmUrl()
const clients: Client[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
})

const profile = { displayName: 'Ada', avatar: { colour: '#1f5fa8' } }

const open = async (edges: ReturnType<typeof fakeBrowser>['edges'], handover?: Cell<PersonalHandover | undefined>) => {
  const client = createClient({
    edges,
    automergeWasmUrl: wasm,
    ...(handover === undefined ? {} : { personalHandover: handover }),
  })
  clients.push(client)
  await client.start()
  return client
}

/** HALO's identity of a browser profile, opened beside its client (as another tab would). */
const haloOf = async (browser: ReturnType<typeof fakeBrowser>): Promise<HaloIdentity> => {
  const store = new IdentityStore({ locks: browser.edges.locks, databaseName: browser.databases.halo })
  const state = await store.load()
  if (state.status !== 'ready') throw new Error(`no identity: ${state.status}`)
  return state.identity
}

/** Tabs of one profile share documents over a BroadcastChannel (Node has one), named for the profile. */
const withTabs = (edges: ReturnType<typeof fakeBrowser>['edges'], profile: string) => ({
  ...edges,
  tabsNetwork: () => [broadcastChannelNetwork(`commonplace-echo-${profile}`)],
})

/** A laptop with an identity, and a phone linked to it by halo's authorizeDevice and createLinked. */
const twoDevices = async (options: { tabs?: boolean } = {}) => {
  const network = new FakeTrystero({ reconnect: true })
  const laptopBrowser = fakeBrowser(network)
  const laptopProfile = crypto.randomUUID()
  const laptopEdges = options.tabs === true ? withTabs(laptopBrowser.edges, laptopProfile) : laptopBrowser.edges
  const laptop = await open(laptopEdges)
  expectOk(await laptop.identity.create(profile, 'Laptop'))
  const laptopSpace = await personalSpace(laptop)
  const laptopHalo = await haloOf(laptopBrowser)
  const phoneKey = generateKeyPair<DeviceKey>()
  const authorized = await laptopHalo.authorizeDevice(phoneKey.publicKey, 'Phone')
  if (!authorized.ok) throw authorized.error
  // The laptop's client hears of the new device as from another tab.
  laptopBrowser.openTab().edges.openChannel('commonplace/identity').postMessage('identity-changed')
  await until(laptop.identity.devices, (devices) => devices.length === 2)
  const phoneBrowser = fakeBrowser(network)
  const phoneStore = new IdentityStore({ locks: phoneBrowser.edges.locks, databaseName: phoneBrowser.databases.halo })
  const linked = await phoneStore.createLinked({
    deviceKeyPair: phoneKey,
    identityKey: laptopHalo.identityKey,
    chain: authorized.value.chain,
    credentials: authorized.value.credentials,
  })
  if (!linked.ok) throw linked.error
  const handover = await until(
    new CellOf(() => clientInternals(laptop)?.personalHandover()),
    (value) => value !== undefined,
  )
  const phone = await open(phoneBrowser.edges, new Cell<PersonalHandover | undefined>(handover))
  const openLaptopTab = () => open(withTabs(laptopBrowser.openTab().edges, laptopProfile))
  return { network, laptop, laptopSpace, phone, laptopBrowser, phoneBrowser, laptopHalo, openLaptopTab }
}

/** Polls `read` each turn until the test reads it through `until` (the handover appears once the mesh runs). */
class CellOf<T> extends Cell<T> {
  constructor(read: () => T) {
    super(read())
    const poll = (): void => {
      this.set(read())
      if (this.get() === undefined) setTimeout(poll, 10)
    }
    setTimeout(poll, 10)
  }
}

describe('two devices of one identity', () => {
  it('edits flow both ways (tasks and their order), with devices online and the status in words', async () => {
    const { laptop, laptopSpace, phone } = await twoDevices()
    expectOk(await laptopSpace.createTask('Buy milk'))
    const phoneSpace = await personalSpace(phone)
    const tasks = phoneSpace.tasks('')
    await until(tasks, (items) => items?.some((task) => task.title === 'Buy milk') === true)
    const call = expectOk(await phoneSpace.createTask('Call Bob'))
    const laptopTasks = laptopSpace.tasks('')
    const titles = (items: readonly { title: string }[] | undefined): string[] => items?.map((task) => task.title) ?? []
    const order = titles(await until(laptopTasks, (items) => titles(items).includes('Call Bob')))
    // The phone moves its task; the laptop shows the same order.
    expectOk(await phoneSpace.moveTask(call, order.indexOf('Call Bob') === 0 ? 'down' : 'up'))
    const moved = titles(await until(tasks, (items) => JSON.stringify(titles(items)) !== JSON.stringify(order)))
    expect(moved).toEqual([...order].reverse())
    await until(laptopTasks, (items) => JSON.stringify(titles(items)) === JSON.stringify(moved))
    const devices = await until(laptop.identity.devices, (list) => list.some((device) => device.online === true))
    expect(devices.find((device) => !device.thisDevice)).toMatchObject({ name: 'Phone', online: true })
    const status = await until(laptop.sync.overall, (now) => now.kind === 'up-to-date')
    expect(status).toEqual({ kind: 'up-to-date', devices: 1 })
    expect(await until(phone.sync.overall, (now) => now.kind === 'up-to-date')).toEqual({
      kind: 'up-to-date',
      devices: 1,
    })
  }, 20_000)

  it('revoking the phone cuts it off within 2 s: no more document bytes, and it shows removed with its copy readable', async () => {
    const { laptop, laptopSpace, phone, network, phoneBrowser, laptopBrowser } = await twoDevices()
    const phoneSpace = await personalSpace(phone)
    expectOk(await laptopSpace.createTask('Before'))
    const phoneTasks = phoneSpace.tasks('')
    await until(phoneTasks, (items) => items?.some((task) => task.title === 'Before') === true)
    const phoneId = phoneBrowser.trystero.selfId
    const devices = await until(laptop.identity.devices, (list) => list.length === 2)
    const phoneDevice = devices.find((device) => !device.thisDevice)?.deviceKey ?? ''
    const roomsOfLaptop = () => network.roomsOf(laptopBrowser.trystero).map((room) => room.roomId)
    const earlier = new Set(roomsOfLaptop())
    expect(clientInternals(laptop)?.personalHandover()?.generation).toBe(1)
    const started = performance.now()
    expectOk(await laptop.identity.revokeDevice(phoneDevice))
    // The laptop is then alone: its only other device is revoked.
    await until(laptop.sync.overall, (status) => status.kind === 'solo')
    const cutAfter = performance.now() - started
    expect(cutAfter).toBeLessThan(2_000)
    const before = network.bytes({ to: phoneId, action: 'cp.am' })
    expectOk(await laptopSpace.createTask('After'))
    await until(phone.identity.state, (state) => state.kind === 'removed')
    expect(network.bytes({ to: phoneId, action: 'cp.am' })).toBe(before)
    expect(phoneTasks.get()?.map((task) => task.title)).toEqual(['Before'])
    // The phone knew the first secret: the laptop drew a second generation, sealed to nobody else, and moved there.
    await vi.waitFor(() => {
      expect(clientInternals(laptop)?.personalHandover()?.generation).toBe(2)
    })
    const fresh = roomsOfLaptop().filter((roomId) => !earlier.has(roomId))
    expect(fresh.length).toBeGreaterThan(0)
    expect(network.roomsOf(phoneBrowser.trystero).some((room) => fresh.includes(room.roomId))).toBe(false)
    expect(
      network.deliveries.some((each) => fresh.includes(each.roomId) && [each.from, each.to].includes(phoneId)),
    ).toBe(false)
    console.info(`revocation to cut-off: ${cutAfter.toFixed(0)} ms`)
  }, 20_000)

  it('a follower tab edits through its leader, and when the leader closes the follower leads and sync goes on', async () => {
    const { laptop, phone, openLaptopTab } = await twoDevices({ tabs: true })
    const follower = await openLaptopTab()
    expect(follower.tabRole.get()).toBe('follower')
    const followerSpace = await personalSpace(follower)
    expectOk(await followerSpace.createTask('From the second tab'))
    const phoneSpace = await personalSpace(phone)
    const phoneTasks = phoneSpace.tasks('')
    await until(phoneTasks, (items) => items?.some((task) => task.title === 'From the second tab') === true)
    // The follower shows the leader's status.
    await until(follower.sync.overall, (status) => status.kind === 'up-to-date')
    await laptop.close()
    await until(follower.tabRole, (role) => role === 'leader')
    expectOk(await followerSpace.createTask('After the takeover'))
    await until(phoneTasks, (items) => items?.some((task) => task.title === 'After the takeover') === true)
    expectOk(await phoneSpace.createTask('Back from the phone'))
    const followerTasks = followerSpace.tasks('')
    await until(followerTasks, (items) => items?.some((task) => task.title === 'Back from the phone') === true)
  }, 20_000)

  it('a page that knows the personal room secret but shows no valid chain gets zero document bytes', async () => {
    const { network, laptop, phone } = await twoDevices()
    const handover = clientInternals(laptop)?.personalHandover()
    if (handover === undefined) throw new Error('no handover')
    const stranger = network.page('stranger')
    const device = generateKeyPair<DeviceKey>()
    const refusals: string[] = []
    const swarm = joinSwarm(defaultMeshSettings({}), swarmRoom(handover.secret, handover.spaceId, 1), {
      appId: 'commonplace/1',
      page: stranger,
      handshake: (remotePeerId, send, receive, isInitiator) =>
        runHandshake({
          ctx: { kind: 'space', spaceId: handover.spaceId, generation: 1 },
          local: {
            peerId: stranger.selfId,
            repo: newRepoId(device.publicKey),
            storage: null,
            identity: device.publicKey as string as IdentityKey,
            device: device.publicKey,
            chain: { forged: true },
            sign: (bytes) => Promise.resolve(toHex(signWith(device, bytes))),
          },
          remotePeerId,
          send,
          receive,
          isInitiator,
          verifyChain: () =>
            Promise.resolve({ ok: true, value: { identity: device.publicKey as string as IdentityKey } }),
          authorize: () => Promise.resolve({ ok: true, value: undefined }),
        }),
    })
    swarm.onRefused((refusal) => refusals.push(refusal.remoteCode ?? refusal.code))
    // Both the laptop and the phone are in that room: each refuses the stranger's chain at once.
    await until(new CellOf(() => (refusals.length >= 2 ? refusals : undefined)), (value) => value !== undefined)
    expect(refusals).toEqual(['bad-chain', 'bad-chain'])
    expect(network.bytes({ to: 'stranger', action: 'cp.am' })).toBe(0)
    expect(swarm.authenticated.get().size).toBe(0)
    await swarm.leave()
    expect(phone.identity.state.get().kind).toBe('ready')
  }, 20_000)
})
