import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { err, ok, systemClock, toHex } from '../../base'
import { broadcastChannelNetwork, parseObjectId, type Space, type SpaceId } from '../../echo'
import { repoOf } from '../../echo/testing/internals'
import { typeText } from '../../echo/testing/text'
import {
  generateKeyPair,
  IdentityStore,
  issueCredential,
  verifyPeerDevice,
  swarmRoom,
  type HaloIdentity,
  type IdentityKey,
  type KeyPair,
} from '../../halo'
import { ManualClock } from '../../base/testing/manual-clock'
import { signWith, type DeviceKey } from '../../halo/testing'
import { defaultMeshSettings, joinSwarm, newRepoId, runHandshake } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { clientInternals, createClient, type Client } from '../client'
import { automergeWasmUrl, fakeBrowser, until } from '../testing/fake-edges'
import { echoOf, expectOk, linkDevice, personalSpace } from '../testing/client-harness'
import { Polled } from '../testing/polled'

const wasm = automergeWasmUrl()
const clients: Client[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
})

const profile = { displayName: 'Ada', avatar: { colour: '#1f5fa8' } }

const open = async (edges: ReturnType<typeof fakeBrowser>['edges']) => {
  const client = createClient({ edges, automergeWasmUrl: wasm })
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

/** A laptop with an identity, and a phone linked to it through the laptop's link (device linking, end to end). */
const twoDevices = async (options: { tabs?: boolean } = {}) => {
  const network = new FakeTrystero({ reconnect: true })
  const laptopBrowser = fakeBrowser(network)
  const laptopProfile = crypto.randomUUID()
  const laptopEdges = options.tabs === true ? withTabs(laptopBrowser.edges, laptopProfile) : laptopBrowser.edges
  const laptop = await open(laptopEdges)
  expectOk(await laptop.identity.create(profile, 'Laptop'))
  const laptopSpace = await personalSpace(laptop)
  const phoneBrowser = fakeBrowser(network)
  const phone = await open(phoneBrowser.edges)
  expect((await linkDevice(laptop, phone, 'Phone')).state.get().kind).toBe('linked')
  await until(phone.identity.state, (state) => state.kind === 'ready')
  const laptopHalo = await haloOf(laptopBrowser)
  const openLaptopTab = () => open(withTabs(laptopBrowser.openTab().edges, laptopProfile))
  return { network, laptop, laptopSpace, phone, laptopBrowser, phoneBrowser, laptopHalo, openLaptopTab }
}

/** A note's writable text document, as ECHO hands it to an editor. */
type NoteText = Extract<Awaited<ReturnType<Space['noteText']>>, { ok: true }>['value']

/** The note's text document in `client`'s ECHO, writable by `halo`'s identity (an editor's handle, without CodeMirror). */
const noteTextIn = async (client: Client, halo: HaloIdentity, spaceId: string, noteId: string): Promise<NoteText> => {
  const space = await (await echoOf(client)).openSpace(spaceId as SpaceId)
  if (!space.ok) throw space.error
  const objectId = parseObjectId(noteId)
  if (objectId === undefined) throw new Error(`bad note id ${noteId}`)
  const text = await space.value.noteText({ identity: halo.identityKey, signer: halo.signer }, objectId)
  if (!text.ok) throw text.error
  return text.value
}

/** Waits until the note's text reads `expected` in that handle. */
const textReads = (note: NoteText, expected: string) =>
  until(new Polled(() => (note.handle.doc().text === expected ? true : undefined)), (value) => value === true)

/** The personal space's id and current swarm secret the client's mesh holds (as a thief of it would hold). */
const personalSecretOf = async (client: Client) => {
  const held = await until(new Polled(() => clientInternals(client)?.personalSecret()), (value) => value !== undefined)
  if (held === undefined) throw new Error('no personal secret held')
  return held
}

/**
 * A page built from the mesh's own code that holds the personal room's secret and shows `chain` for `device`,
 * claiming `identity`; it lets in whoever shows a valid chain.
 */
const hostilePage = (
  network: FakeTrystero,
  name: string,
  handover: Awaited<ReturnType<typeof personalSecretOf>>,
  device: KeyPair<DeviceKey>,
  chain: unknown,
  identity = device.publicKey as string as IdentityKey,
) => {
  const page = network.page(name)
  const refusals: string[] = []
  const room = swarmRoom(handover.secret, handover.spaceId, handover.generation)
  const swarm = joinSwarm(defaultMeshSettings({}), room, {
    appId: 'commonplace/1',
    page,
    handshake: (remotePeerId, send, receive, isInitiator) =>
      runHandshake({
        ctx: { kind: 'space', spaceId: handover.spaceId, generation: handover.generation },
        roomPassword: room.password,
        local: {
          peerId: page.selfId,
          repo: newRepoId(device.publicKey),
          storage: null,
          identity,
          device: device.publicKey,
          chain,
          sign: (bytes) => Promise.resolve(toHex(signWith(device, bytes))),
        },
        remotePeerId,
        send,
        receive,
        isInitiator,
        // It checks the honest devices as the app does, so any refusal is theirs, not its own.
        verifyChain: async (offered, remote) => {
          const verified = await verifyPeerDevice(offered, remote, { clock: systemClock, isRevoked: () => false })
          return verified.ok ? ok({ identity: verified.value.identity }) : err({ code: 'bad-chain' })
        },
        authorize: () => Promise.resolve({ ok: true, value: undefined }),
      }),
  })
  // The honest side's code; a refusal of its own (none expected) is marked as such.
  swarm.onRefused((refusal) => refusals.push(refusal.remoteCode ?? `own: ${refusal.code}`))
  return { swarm, refusals }
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
    expect(clientInternals(laptop)?.personalSecret()?.generation).toBe(1)
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
      expect(clientInternals(laptop)?.personalSecret()?.generation).toBe(2)
    })
    const fresh = roomsOfLaptop().filter((roomId) => !earlier.has(roomId))
    expect(fresh.length).toBeGreaterThan(0)
    expect(network.roomsOf(phoneBrowser.trystero).some((room) => fresh.includes(room.roomId))).toBe(false)
    expect(
      network.deliveries.some((each) => fresh.includes(each.roomId) && [each.from, each.to].includes(phoneId)),
    ).toBe(false)
    console.info(`revocation to cut-off: ${cutAfter.toFixed(0)} ms`)
  }, 20_000)

  it('a revoked phone reopened on its storage is removed: its spaces read, every write refused, no mesh', async () => {
    const { laptop, laptopSpace, phone, network, phoneBrowser } = await twoDevices()
    expectOk(await laptopSpace.createTask('Before'))
    const phoneSpace = await personalSpace(phone)
    await until(phoneSpace.tasks(''), (items) => items?.some((task) => task.title === 'Before') === true)
    const devices = await until(laptop.identity.devices, (list) => list.length === 2)
    expectOk(await laptop.identity.revokeDevice(devices.find((device) => !device.thisDevice)?.deviceKey ?? ''))
    await until(phone.identity.state, (state) => state.kind === 'removed')
    await phone.close()

    const tab = phoneBrowser.openTab()
    const reopened = await open(tab.edges)
    const state = await until(reopened.identity.state, (now) => now.kind !== 'loading')
    expect(state.kind).toBe('removed')
    expect(state.kind === 'removed' && state.identity.displayName).toBe('Ada')
    await until(reopened.tabRole, (role) => role === 'leader')
    const space = await personalSpace(reopened)
    const tasks = await until(space.tasks(''), (items) => items !== undefined && items.length > 0)
    expect(tasks?.map((task) => task.title)).toEqual(['Before'])
    expect(space.canWrite.get()).toBe(false)
    const refused = [
      await space.createTask('After the removal'),
      await space.updateTask(tasks?.[0]?.id ?? '', { done: true }),
      await space.createNote('A note'),
      await space.rename('Mine'),
      await reopened.spaces.create('Another space'),
      await reopened.identity.updateProfile({ displayName: 'Mallory', avatar: { colour: '#000000' } }),
      await reopened.devices.offerLink(),
    ]
    expect(refused.map((result) => !result.ok && result.error.code)).toEqual([
      'device-removed',
      'device-removed',
      'device-removed',
      'device-removed',
      'device-removed',
      'device-removed',
      'no-identity',
    ])
    const after = await until(space.tasks(''), (items) => items !== undefined)
    expect(after?.map((task) => [task.title, task.done])).toEqual([['Before', false]])
    // No mesh: the leader tab holds no secret and is in no room.
    expect(clientInternals(reopened)?.personalSecret()).toBeUndefined()
    expect(network.roomsOf(tab.trystero)).toEqual([])
  }, 20_000)

  it('every other space of the identity reaches the linked phone, with its tasks, and edits flow back', async () => {
    const { laptop, phone } = await twoDevices()
    const garden = expectOk(await laptop.spaces.create('Garden plans')).id
    const laptopGarden = expectOk(await laptop.spaces.open(garden))
    expectOk(await laptopGarden.createTask('Sow tomatoes'))
    const listed = await until(phone.spaces.list, (spaces) => spaces?.some((space) => space.id === garden) === true)
    expect(listed?.find((space) => space.id === garden)?.name).toBe('Garden plans')
    const phoneGarden = expectOk(await phone.spaces.open(garden))
    await until(phoneGarden.tasks(''), (tasks) => tasks?.some((task) => task.title === 'Sow tomatoes') === true)
    expectOk(await phoneGarden.createTask('Water them'))
    await until(laptopGarden.tasks(''), (tasks) => tasks?.some((task) => task.title === 'Water them') === true)
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

  it('a follower tab loads a document from the other device only when it opens it, then follows it and sends its edits', async () => {
    const { laptop, laptopHalo, phone, phoneBrowser, openLaptopTab } = await twoDevices({ tabs: true })
    const follower = await openLaptopTab()
    expect(follower.tabRole.get()).toBe('follower')
    const phoneSpace = await personalSpace(phone)
    const noteId = expectOk(await phoneSpace.createNote('Plan'))
    const phoneText = await noteTextIn(phone, await haloOf(phoneBrowser), phoneSpace.id, noteId)
    typeText(phoneText, 'Hello')
    const textId = phoneText.handle.documentId
    // The leader holds the phone's text...
    const leaderRepo = repoOf(await echoOf(laptop))
    // Polled until the text is all there: the handle may be ready with the first part of the typing.
    await until(
      new Polled(() => {
        const handle = leaderRepo.handles[textId]
        return handle?.isReady() === true && handle.doc().text === 'Hello' ? handle : undefined
      }),
      (handle) => handle !== undefined,
    )
    await (await echoOf(laptop)).settled()
    // ...but the follower, which has not opened the space, has not loaded it (the leader used to announce it).
    const followerRepo = repoOf(await echoOf(follower))
    expect(followerRepo.handles[textId]).toBeUndefined()
    // Opened in the follower (what its editor binds to; the CodeMirror binding itself loads the full automerge
    // build, a second wasm in Node): it reads the text, follows the phone's typing, and its edits reach the phone.
    const followerSpace = await personalSpace(follower)
    const followerText = await noteTextIn(follower, laptopHalo, followerSpace.id, noteId)
    await textReads(followerText, 'Hello')
    typeText(phoneText, 'Hello world')
    await textReads(followerText, 'Hello world')
    typeText(followerText, 'Hello world, from the laptop')
    await textReads(phoneText, 'Hello world, from the laptop')
  }, 30_000)

  it("a note's text typed on each side at once converges to the same text on both", async () => {
    const { laptop, laptopSpace, laptopHalo, phone, phoneBrowser } = await twoDevices()
    const noteId = expectOk(await laptopSpace.createNote('Shared note'))
    const laptopText = await noteTextIn(laptop, laptopHalo, laptopSpace.id, noteId)
    typeText(laptopText, 'middle')
    const phoneSpace = await personalSpace(phone)
    await until(phoneSpace.notes(''), (notes) => notes?.some((note) => note.id === noteId) === true)
    const phoneText = await noteTextIn(phone, await haloOf(phoneBrowser), phoneSpace.id, noteId)
    await textReads(phoneText, 'middle')
    // Both type before hearing the other: the laptop at the end, the phone at the start.
    typeText(laptopText, 'middle, laptop')
    typeText(phoneText, 'phone, middle')
    await textReads(laptopText, 'phone, middle, laptop')
    await textReads(phoneText, 'phone, middle, laptop')
  }, 20_000)

  it('notes written offline on each side while the room is down converge, text and all, once it is back', async () => {
    const { network, laptop, laptopSpace, laptopHalo, phone, phoneBrowser } = await twoDevices()
    const phoneSpace = await personalSpace(phone)
    await until(laptop.sync.overall, (status) => status.kind === 'up-to-date')
    network.setDown(true)
    await until(laptop.sync.overall, (status) => status.kind !== 'up-to-date')
    await until(phone.sync.overall, (status) => status.kind !== 'up-to-date')
    const fromLaptop = expectOk(await laptopSpace.createNote('Written on the laptop offline'))
    const laptopText = await noteTextIn(laptop, laptopHalo, laptopSpace.id, fromLaptop)
    typeText(laptopText, 'laptop text')
    const phoneHalo = await haloOf(phoneBrowser)
    const fromPhone = expectOk(await phoneSpace.createNote('Written on the phone offline'))
    const phoneText = await noteTextIn(phone, phoneHalo, phoneSpace.id, fromPhone)
    typeText(phoneText, 'phone text')
    network.setDown(false)
    const both = (notes: readonly { id: string }[] | undefined): boolean =>
      [fromLaptop, fromPhone].every((id) => notes?.some((note) => note.id === id) === true)
    await until(laptopSpace.notes(''), both)
    await until(phoneSpace.notes(''), both)
    await textReads(await noteTextIn(phone, phoneHalo, phoneSpace.id, fromLaptop), 'laptop text')
    await textReads(await noteTextIn(laptop, laptopHalo, laptopSpace.id, fromPhone), 'phone text')
    await until(laptop.sync.overall, (status) => status.kind === 'up-to-date')
  }, 20_000)

  it('a page that knows the personal room secret but shows no valid chain gets zero document bytes', async () => {
    const { network, laptop, phone } = await twoDevices()
    const handover = await personalSecretOf(laptop)
    const device = generateKeyPair<DeviceKey>()
    const stranger = hostilePage(network, 'stranger', handover, device, { forged: true })
    // Both the laptop and the phone are in that room: each refuses the stranger's chain at once.
    await until(
      new Polled(() => (stranger.refusals.length >= 2 ? stranger.refusals : undefined)),
      (value) => value !== undefined,
    )
    expect(stranger.refusals).toEqual(['bad-chain', 'bad-chain'])
    expect(network.bytes({ to: 'stranger', action: 'cp.am' })).toBe(0)
    expect(stranger.swarm.authenticated.get().size).toBe(0)
    await stranger.swarm.leave()
    expect(phone.identity.state.get().kind).toBe('ready')
  }, 20_000)

  it('a device whose chain to the identity expired is refused at the handshake, with zero document bytes (N2)', async () => {
    const { network, laptop, laptopHalo, phone } = await twoDevices()
    const handover = await personalSecretOf(laptop)
    const device = generateKeyPair<DeviceKey>()
    // The laptop once authorized this device until ten minutes ago (past the verifier's 2-minute skew).
    const now = Date.now()
    const authorize = (expiresAt?: number) =>
      issueCredential({
        issuer: laptopHalo.identityKey,
        subject: device.publicKey,
        assertion: { kind: 'AuthorizedDevice' },
        signer: laptopHalo.signer,
        clock: new ManualClock(now - 60 * 60_000),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      })
    const expired = hostilePage(
      network,
      'expired',
      handover,
      device,
      authorize(now - 10 * 60_000),
      laptopHalo.identityKey,
    )
    await until(
      new Polled(() => (expired.refusals.length >= 2 ? expired.refusals : undefined)),
      (value) => value !== undefined,
    )
    expect(expired.refusals).toEqual(['bad-chain', 'bad-chain'])
    expect(network.bytes({ to: 'expired', action: 'cp.am' })).toBe(0)
    expect(expired.swarm.authenticated.get().size).toBe(0)
    await expired.swarm.leave()
    // The same device with the same chain but no expiry gets in: the expiry alone was refused.
    const live = hostilePage(network, 'live', handover, device, authorize(), laptopHalo.identityKey)
    await until(
      new Polled(() => (live.swarm.authenticated.get().size >= 2 ? true : undefined)),
      (value) => value === true,
    )
    expect(live.refusals).toEqual([])
    await live.swarm.leave()
    expect(phone.identity.state.get().kind).toBe('ready')
  }, 20_000)
})
