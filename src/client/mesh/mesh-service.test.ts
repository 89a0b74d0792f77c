import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Cell, err, ok, toHex } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Echo, Actor, SpaceId } from '../../echo'
import { makeDeviceActor } from '../../echo/testing/device-actor'
import { openTestEcho, T0 } from '../../echo/testing/fixtures'
import { objectDocumentsOf, rootOf } from '../../echo/testing/internals'
import { decodeCredential, generateKeyPair, verifyCredential, type KeyPair, type PublicKey } from '../../halo'
import { signWith } from '../../halo/testing'
import { defaultMeshSettings, type MeshStatus } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { deviceStorage } from './device-storage'
import { startMeshService, type MeshIdentity, type MeshService, type RoomEntry } from './mesh-service'
import { SyncTracker } from './sync-tracker'

const opened: { echo: Echo; service: MeshService }[] = []
afterEach(async () => {
  for (const { echo, service } of opened.splice(0)) {
    await service.stop()
    await echo.close()
  }
})

/** One identity with devices; its revocations as a set the test changes, announced to every service. */
const identityOf = (clock: ManualClock) => {
  const identity: KeyPair = generateKeyPair()
  const revoked = new Set<PublicKey>()
  // Other identities our log admits, and every identity a `not-member` answer was given to.
  const members = new Set<PublicKey>()
  const refused: PublicKey[] = []
  const listeners = new Set<() => void>()
  const changed = (): void => {
    for (const listener of listeners) listener()
  }
  const meshIdentity = (actor: Actor, chain: unknown = actor.signer.chain): MeshIdentity => ({
    identityKey: actor.identity as never,
    deviceKey: actor.signer.key.publicKey,
    chain,
    signBytes: (bytes) => Promise.resolve(toHex(signWith(actor.signer.key, bytes))),
    // HALO's verifyPeerDevice, in short: the chain decodes, is for this device, verifies, and is not revoked.
    verifyChain: (_space, offered, device) => {
      const decoded = decodeCredential(offered)
      if (!decoded.ok || decoded.value.subject !== device) return Promise.resolve(err({ code: 'bad-chain' }))
      if (revoked.has(device)) return Promise.resolve(err({ code: 'revoked', evidence: [device] }))
      const verified = verifyCredential(decoded.value, { clock, isRevoked: () => false })
      return Promise.resolve(verified.ok ? ok({ identity: decoded.value.issuer as never }) : err({ code: 'bad-chain' }))
    },
    admits: (_space, peer) => {
      if (revoked.has(peer.device)) return { code: 'revoked' }
      if (peer.identity === identity.publicKey || (peer.identity !== null && members.has(peer.identity))) {
        return undefined
      }
      if (peer.identity !== null) refused.push(peer.identity)
      return { code: 'not-member' }
    },
    mayWrite: (_space, writer) => writer === identity.publicKey,
  })
  return {
    identity,
    device: () => makeDeviceActor(identity, clock),
    meshIdentity,
    revoke: (device: PublicKey) => {
      revoked.add(device)
      changed()
    },
    admit: (other: PublicKey) => {
      members.add(other)
      changed()
    },
    refused,
    onAccessChange: (listener: () => void) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

const setup = () => {
  const clock = new ManualClock(T0)
  const network = new FakeTrystero()
  const me = identityOf(clock)
  // A `not-member` answer is final at once here, unless a test waits for an admission on purpose.
  const start = async (name: string, identity: MeshIdentity, rooms: readonly RoomEntry[], membershipWaitMs = 0) => {
    const echo = openTestEcho({ clock })
    const roomCell = new Cell(rooms)
    const status = new Cell<MeshStatus | undefined>(undefined)
    const tracker = new SyncTracker({
      clock,
      online: true,
      nameOf: (device) => (device === identity.deviceKey ? undefined : `device ${device.slice(0, 4)}`),
      publish: (next) => {
        status.set(next)
      },
      // As start-mesh wires it: a peer's pending documents are those it is given.
      watchPeer: (repo, changed) =>
        echo.watchPeer(repo, changed, (documentId) => service.access.allows(repo, documentId)),
    })
    const service = startMeshService({
      tracker,
      echo,
      identity,
      rooms: roomCell,
      onAccessChange: me.onAccessChange,
      membershipWaitMs,
      settings: defaultMeshSettings({}),
      page: network.page(name),
      storage: await deviceStorage(echo, identity.deviceKey),
    })
    opened.push({ echo, service })
    return { echo, service, rooms: roomCell, status, tracker }
  }
  return { clock, network, me, start }
}

const WAIT = { timeout: 10_000 }

const expectRenamed = (result: { ok: boolean }): void => {
  expect(result.ok).toBe(true)
}

const roomOf = (spaceId: SpaceId): RoomEntry => ({
  spaceId,
  generation: 1,
  room: { roomId: `room-${spaceId}`, password: 'pw' },
})

/** B adopts A's space through the mesh (as a linked device does from the personal space's list). */
const adopt = async (
  service: MeshService,
  echo: Echo,
  identity: PublicKey,
  from: Awaited<ReturnType<Echo['createSpace']>>,
) => {
  const forget = service.access.expect(rootOf(from).documentId, from.id)
  const adopted = await echo.adoptSpace({ identity, spaceId: from.id, rootUrl: rootOf(from).url })
  forget()
  if (!adopted.ok) throw adopted.error
  return adopted.value
}

describe('the mesh service', () => {
  it('carries edits both ways between two devices of one identity, only after the handshake', async () => {
    const { me, start } = setup()
    const [laptop, phone] = [me.device(), me.device()]
    const a = await start('a', me.meshIdentity(laptop), [])
    const work = await a.echo.createSpace(laptop, 'Work')
    const b = await start('b', me.meshIdentity(phone), [roomOf(work.id)])
    // A joins once its space has a room, as a device coming online.
    a.rooms.set([roomOf(work.id)])
    const theirs = await adopt(b.service, b.echo, me.identity.publicKey, work)
    const note = await work.createNote(laptop, 'From the laptop', 'text')
    if (!note.ok) throw note.error
    await vi.waitFor(async () => {
      expect((await theirs.get(note.value.id))?.fields).toMatchObject({ title: 'From the laptop' })
    }, WAIT)
    const reply = await theirs.createNote(phone, 'From the phone')
    if (!reply.ok) throw reply.error
    await vi.waitFor(async () => {
      expect((await work.get(reply.value.id))?.fields).toMatchObject({ title: 'From the phone' })
    }, WAIT)
    // Status: up to date once the phone's heads match ours, and last synced with it.
    const phoneKey = phone.signer.key.publicKey
    await vi.waitFor(() => {
      expect(a.status.get()?.spaces[work.id]?.state).toBe('up-to-date')
    }, WAIT)
    expect(a.status.get()?.spaces[work.id]).toMatchObject({
      state: 'up-to-date',
      peers: [{ device: phoneKey, name: `device ${phoneKey.slice(0, 4)}` }],
      lastSynced: { device: phoneKey },
    })
    a.tracker.online(false)
    expect(a.status.get()?.overall).toBe('offline')
  })

  it('gives a device that knows the room secret but has no valid chain zero document bytes, and refuses it at once', async () => {
    const { me, start, network } = setup()
    const laptop = me.device()
    const a = await start('a', me.meshIdentity(laptop), [])
    const work = await a.echo.createSpace(laptop, 'Work')
    await work.createNote(laptop, 'Secret plans', 'the text')
    // Mallory has the room's id and password, a device key, and a chain of her own identity, not ours.
    const mallory = identityOf(new ManualClock(T0))
    const m = await start('m', mallory.meshIdentity(mallory.device()), [roomOf(work.id)])
    const refusals: string[] = []
    a.rooms.set([roomOf(work.id)])
    a.service
      .rooms()
      .get(work.id)
      ?.swarm.onRefused((refusal) => refusals.push(refusal.code))
    const stolen = m.echo.adoptSpace(
      { identity: me.identity.publicKey, spaceId: work.id, rootUrl: rootOf(work).url },
      { signal: AbortSignal.timeout(1_000) },
    )
    await vi.waitFor(() => {
      expect(refusals).toEqual(['not-member'])
    }, WAIT)
    expect((await stolen).ok).toBe(false)
    expect(network.bytes({ from: 'a', to: 'm', action: 'cp.am' })).toBe(0)
    expect(m.service.rooms().get(work.id)?.swarm.authenticated.get().size).toBe(0)
  })

  it('lets in a member admitted while its first handshake waits, with no rejoin: a refusal would last', async () => {
    const { me, start, network } = setup()
    const laptop = me.device()
    const a = await start('a', me.meshIdentity(laptop), [], 10_000)
    const work = await a.echo.createSpace(laptop, 'Work')
    // Ben was just admitted by another member; his entry has not reached the laptop's log yet.
    const ben = identityOf(new ManualClock(T0))
    ben.admit(me.identity.publicKey)
    const b = await start('b', ben.meshIdentity(ben.device()), [roomOf(work.id)])
    a.rooms.set([roomOf(work.id)])
    await vi.waitFor(() => {
      expect(me.refused).toContain(ben.identity.publicKey)
    }, WAIT)
    const joins = network.configs.length
    me.admit(ben.identity.publicKey)
    await vi.waitFor(() => {
      expect(a.service.rooms().get(work.id)?.swarm.authenticated.get().size).toBe(1)
    }, WAIT)
    expect(b.service.rooms().get(work.id)?.swarm.authenticated.get().size).toBe(1)
    expect(network.configs.length).toBe(joins)
  })

  it('cuts off a member device that keeps sending undecodable frames on the document channel', async () => {
    const { me, start } = setup()
    const [laptop, phone] = [me.device(), me.device()]
    const a = await start('a', me.meshIdentity(laptop), [])
    const work = await a.echo.createSpace(laptop, 'Work')
    const b = await start('b', me.meshIdentity(phone), [roomOf(work.id)])
    a.rooms.set([roomOf(work.id)])
    await adopt(b.service, b.echo, me.identity.publicKey, work)
    const room = a.service.rooms().get(work.id)
    expect(room?.swarm.authenticated.get().size).toBe(1)
    const junk = b.service.rooms().get(work.id)?.swarm.channel<Uint8Array>('cp.am')
    for (let i = 0; i < 16; i++) await junk?.send(Uint8Array.of(2, 0xff, 0xfe), 'a')
    await vi.waitFor(() => {
      expect(room?.swarm.authenticated.get().size).toBe(0)
    }, WAIT)
    expect(a.service.access.spacesOf(b.service.wireId)).toEqual([])
  })

  it('cuts a revoked device off: its connection closed, its grants gone, and no more bytes', async () => {
    const { me, start, network } = setup()
    const [laptop, phone] = [me.device(), me.device()]
    const a = await start('a', me.meshIdentity(laptop), [])
    const work = await a.echo.createSpace(laptop, 'Work')
    const b = await start('b', me.meshIdentity(phone), [roomOf(work.id)])
    a.rooms.set([roomOf(work.id)])
    const theirs = await adopt(b.service, b.echo, me.identity.publicKey, work)
    expect(theirs.name).toBe('Work')
    const before = network.bytes({ from: 'a', to: 'b', action: 'cp.am' })
    expect(before).toBeGreaterThan(0)
    const started = performance.now()
    me.revoke(phone.signer.key.publicKey)
    expect(a.service.rooms().get(work.id)?.swarm.authenticated.get().size).toBe(0)
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(a.service.access.spacesOf(b.service.wireId)).toEqual([])
    await work.createNote(laptop, 'After the revocation', 'not for the phone')
    // The phone tries again with a fresh handshake: refused, and nothing more reaches it.
    const refusals: string[] = []
    a.service
      .rooms()
      .get(work.id)
      ?.swarm.onRefused((refusal) => refusals.push(refusal.code))
    b.rooms.set([])
    b.rooms.set([{ spaceId: work.id, generation: 1, room: { roomId: `room-${work.id}`, password: 'pw' } }])
    await vi.waitFor(() => {
      expect(refusals).toEqual(['revoked'])
    }, WAIT)
    expect(a.service.rooms().get(work.id)?.swarm.authenticated.get().size).toBe(0)
    expect(network.bytes({ from: 'a', to: 'b', action: 'cp.am' })).toBe(before)
  })

  it('keeps syncing a space whose rooms were all replaced while another room still connects the two devices', async () => {
    const { me, start } = setup()
    const [laptop, phone] = [me.device(), me.device()]
    const a = await start('a', me.meshIdentity(laptop), [])
    const personal = await a.echo.createSpace(laptop, 'Personal')
    const work = await a.echo.createSpace(laptop, 'Work')
    const b = await start('b', me.meshIdentity(phone), [roomOf(personal.id), roomOf(work.id)])
    a.rooms.set([roomOf(personal.id), roomOf(work.id)])
    await adopt(b.service, b.echo, me.identity.publicKey, personal)
    const theirs = await adopt(b.service, b.echo, me.identity.publicKey, work)
    // Two rotations in a row: both devices leave the space's last shared room before they meet in the new one,
    // while the personal space's room keeps them connected (the peer is never announced anew).
    const rotated: RoomEntry = {
      spaceId: work.id,
      generation: 3,
      room: { roomId: `room-${work.id}-3`, password: 'pw' },
    }
    a.rooms.set([roomOf(personal.id)])
    b.rooms.set([roomOf(personal.id)])
    await vi.waitFor(() => {
      expect(a.service.access.spacesOf(b.service.wireId)).toEqual([personal.id])
      expect(b.service.access.spacesOf(a.service.wireId)).toEqual([personal.id])
    }, WAIT)
    a.rooms.set([roomOf(personal.id), rotated])
    b.rooms.set([roomOf(personal.id), rotated])
    await vi.waitFor(() => {
      expect(a.service.rooms().get(work.id)?.swarm.authenticated.get().size).toBe(1)
      expect(b.service.rooms().get(work.id)?.swarm.authenticated.get().size).toBe(1)
    }, WAIT)
    // The space's root was synced before: only its changes made after the rotation travel now.
    expectRenamed(work.rename(laptop, 'Work after the rotation'))
    await vi.waitFor(() => {
      expect(theirs.name).toBe('Work after the rotation')
    }, WAIT)
    expectRenamed(theirs.rename(phone, 'Back from the phone'))
    await vi.waitFor(() => {
      expect(work.name).toBe('Back from the phone')
    }, WAIT)
  }, 30_000)

  it('gives a peer met only in a room kept below the current one the root alone, and lists it while either room holds it', async () => {
    const { me, start } = setup()
    const [laptop, phone] = [me.device(), me.device()]
    const a = await start('a', me.meshIdentity(laptop), [])
    const work = await a.echo.createSpace(laptop, 'Work')
    const note = await work.createNote(laptop, 'Written after the rotation', 'text')
    if (!note.ok) throw note.error
    const current: RoomEntry = {
      spaceId: work.id,
      generation: 2,
      room: { roomId: `room-${work.id}-2`, password: 'pw' },
    }
    // The laptop rotated to generation 2 and keeps the room of 1; the phone, away through it, holds 1 only.
    a.rooms.set([roomOf(work.id), current])
    const b = await start('b', me.meshIdentity(phone), [roomOf(work.id)])
    const theirs = await adopt(b.service, b.echo, me.identity.publicKey, work)
    expect(theirs.name).toBe('Work')
    const [objects] = objectDocumentsOf(work).map((handle) => handle.documentId as string)
    if (objects === undefined) throw new Error('no object document')
    expect(a.service.access.allows(b.service.wireId, rootOf(work).documentId)).toBe(true)
    expect(a.service.access.allows(b.service.wireId, objects)).toBe(false)
    // What it is given, it holds: up to date (it read "Syncing…" for good, waiting for documents it is never sent).
    await vi.waitFor(() => {
      expect(a.status.get()?.spaces[work.id]?.state).toBe('up-to-date')
    }, WAIT)
    // In the current room too (it read the new generation in the root): everything, the note with it.
    b.rooms.set([roomOf(work.id), current])
    await vi.waitFor(async () => {
      expect((await theirs.get(note.value.id))?.fields).toMatchObject({ title: 'Written after the rotation' })
    }, WAIT)
    await vi.waitFor(() => {
      expect(a.status.get()?.spaces[work.id]?.state).toBe('up-to-date')
    }, WAIT)
    // It leaves the kept room: still connected in the current one, so still listed, and still up to date.
    const dropped = vi.spyOn(a.tracker, 'disconnected')
    b.rooms.set([current])
    await vi.waitFor(() => {
      expect(dropped).toHaveBeenCalledTimes(1)
    }, WAIT)
    expect(a.status.get()?.spaces[work.id]).toMatchObject({
      state: 'up-to-date',
      peers: [{ device: phone.signer.key.publicKey }],
    })
    expect(a.service.access.allows(b.service.wireId, objects)).toBe(true)
  }, 30_000)
})
