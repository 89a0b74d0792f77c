/**
 * A removed member's changes relayed by an editor (issue 13, case 6; N7), through the wiring: three devices on the
 * fake Trystero, each with the app's own `meshIdentityOf` (real handshake, real fold), the removed member still
 * holding the room's password (no rotation here: the worst case).
 */
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Cell, toHex } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import type { Actor, Echo, Space, SpaceId } from '../../echo'
import { makeDeviceActor } from '../../echo/testing/device-actor'
import { openTestEcho } from '../../echo/testing/fixtures'
import { objectDocumentsOf, rootOf } from '../../echo/testing/internals'
import { headsOf } from '../../echo/testing/stored-heads'
import { generateKeyPair, type HaloIdentity } from '../../halo'
import { signWith } from '../../halo/testing'
import { defaultMeshSettings } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { deviceStorage } from './device-storage'
import { meshIdentityOf, type InvitedSpaces } from './mesh-identity'
import { startMeshService, type MeshService, type RoomEntry } from './mesh-service'

const opened: { echo: Echo; service: MeshService }[] = []
afterEach(async () => {
  for (const { echo, service } of opened.splice(0)) {
    await service.stop()
    await echo.close()
  }
})

const WAIT = { timeout: 10_000 }
// The app's chain check runs on the system clock: the chains are issued now.
const clock = new ManualClock(Date.now())

/** The parts of HALO's identity `meshIdentityOf` reads, for a device of `actor`. */
const haloOf = (actor: Actor): HaloIdentity =>
  ({
    identityKey: actor.identity,
    deviceKey: actor.signer.key.publicKey,
    chain: actor.signer.chain,
    signBytes: (bytes: Uint8Array) => Promise.resolve(toHex(signWith(actor.signer.key, bytes))),
    isRevoked: () => false,
    credentials: { get: () => [] },
  }) as unknown as HaloIdentity

const roomOf = (spaceId: SpaceId): RoomEntry => ({
  spaceId,
  generation: 1,
  room: { roomId: `room-${spaceId}`, password: 'pw' },
})

const start = async (network: FakeTrystero, name: string, actor: Actor, invited: InvitedSpaces = new Map()) => {
  const echo = openTestEcho({ clock })
  const spaces = new Map<SpaceId, Space>()
  const rooms = new Cell<readonly RoomEntry[]>([])
  const refused: string[] = []
  // As the app does: every membership change of a space open here asks the mesh to check its peers again.
  const listeners = new Set<() => void>()
  const unsubscribe: (() => void)[] = []
  const open = (space: Space) => {
    spaces.set(space.id, space)
    unsubscribe.push(
      space.membership.subscribe(() => {
        for (const listener of [...listeners]) listener()
      }),
    )
  }
  const service = startMeshService({
    echo,
    identity: meshIdentityOf(
      haloOf(actor),
      (id) => spaces.get(id),
      invited,
      async (id) => {
        const space = await echo.openSpace(id)
        return space.ok ? space.value : undefined
      },
    ),
    rooms,
    onAccessChange: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    settings: defaultMeshSettings({}),
    page: network.page(name),
    storage: await deviceStorage(echo, actor.signer.key.publicKey),
  })
  opened.push({
    echo,
    service: {
      ...service,
      stop: async () => {
        for (const stop of unsubscribe) stop()
        await service.stop()
      },
    },
  })
  const join = (spaceId: SpaceId) => {
    rooms.set([roomOf(spaceId)])
    service
      .rooms()
      .get(spaceId)
      ?.swarm.onRefused((refusal) => refused.push(refusal.remoteCode ?? `own: ${refusal.code}`))
  }
  return { echo, service, open, join, leave: () => rooms.set([]), refused }
}

/** A device that adopts `work` from its room and opens it. */
const adopt = async (device: Awaited<ReturnType<typeof start>>, actor: Actor, work: Space) => {
  device.join(work.id)
  const forget = device.service.access.expect(rootOf(work).documentId, work.id)
  const adopted = await device.echo.adoptSpace({
    identity: actor.identity,
    spaceId: work.id,
    rootUrl: rootOf(work).url,
  })
  forget()
  if (!adopted.ok) throw adopted.error
  device.open(adopted.value)
  return adopted.value
}

describe('a removed member’s changes, relayed by an editor (N7)', { timeout: 30_000 }, () => {
  it('reach neither the editor nor, through it, the owner: both refuse the removed device, nothing is applied', async () => {
    const network = new FakeTrystero()
    const [owner, editor, removed] = [0, 1, 2].map(() => makeDeviceActor(generateKeyPair(), clock)) as [
      Actor,
      Actor,
      Actor,
    ]
    const o = await start(network, 'owner', owner)
    const work = await o.echo.createSpace(owner, 'Garden plans')
    o.open(work)
    const note = await work.createNote(owner, 'Plan', 'the text')
    if (!note.ok) throw note.error
    for (const member of [editor, removed]) {
      const admitted = work.admit(owner, member.identity, 'editor')
      if (!admitted.ok) throw admitted.error
    }
    o.join(work.id)
    // Each joins by invitation: the log its host proved names the owner and both editors as writers.
    const writers: InvitedSpaces = new Map([[work.id, new Set([owner.identity, editor.identity, removed.identity])]])
    const e = await start(network, 'editor', editor, writers)
    const theirs = await adopt(e, editor, work)
    const r = await start(network, 'removed', removed, writers)
    const stale = await adopt(r, removed, work)
    await vi.waitFor(() => {
      expect(r.service.rooms().get(work.id)?.swarm.authenticated.get().size).toBe(2)
    }, WAIT)

    // The owner removes her; the editor's log has the removal before she writes anything.
    const removal = work.remove(owner, removed.identity)
    if (!removal.ok) throw removal.error
    await vi.waitFor(() => {
      expect(theirs.roleOf(removed.identity)).toBeUndefined()
      expect(r.service.rooms().get(work.id)?.swarm.authenticated.get().size).toBe(0)
    }, WAIT)
    const sentBefore = network.bytes({ from: 'removed', action: 'cp.am' })
    const ownerHeads = [rootOf(work), ...objectDocumentsOf(work)].map(headsOf)

    // She writes to every document of her copy through Automerge, and her device keeps knocking on the room.
    rootOf(stale).change((doc) => {
      doc.name = 'Taken over'
    })
    for (const handle of objectDocumentsOf(stale)) {
      handle.change((doc) => {
        doc.objects.forced = { by: 'a removed member' }
      })
    }
    r.leave()
    r.join(work.id)
    await vi.waitFor(() => {
      expect(r.refused.filter((code) => code === 'not-member').length).toBeGreaterThanOrEqual(2)
    }, WAIT)
    // The editor still edits, and the owner gets that: the link that would relay is live.
    const edited = await theirs.createNote(editor, 'From the editor', 'still live')
    if (!edited.ok) throw edited.error
    await vi.waitFor(async () => {
      expect((await work.get(edited.value.id))?.fields).toMatchObject({ title: 'From the editor' })
    }, WAIT)

    expect(network.bytes({ from: 'removed', action: 'cp.am' })).toBe(sentBefore)
    expect(r.service.rooms().get(work.id)?.swarm.authenticated.get().size).toBe(0)
    for (const space of [work, theirs]) {
      expect(space.name).toBe('Garden plans')
      for (const handle of objectDocumentsOf(space)) expect(handle.doc().objects.forced).toBeUndefined()
    }
    // The owner's root moved only by the editor's note; the removed member is still out.
    expect([rootOf(work), ...objectDocumentsOf(work)].map(headsOf)).not.toEqual(ownerHeads)
    expect(work.roleOf(removed.identity)).toBeUndefined()
  })
})
