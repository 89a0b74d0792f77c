/**
 * Review 12, F6: a member of two spaces S and T, removed from S, lists S's document ids in T's root. A device in
 * both must keep S's documents with S whatever order it opens the spaces in: it never serves them to T's members,
 * and keeps syncing them with S's.
 */
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Cell } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import { type Actor, type Echo, type Space, type SpaceId } from '../../echo'
import { makeDeviceActor } from '../../echo/testing/device-actor'
import { openTestEcho, T0 } from '../../echo/testing/fixtures'
import { objectDocumentsOf, repoOf, rootOf } from '../../echo/testing/internals'
import { generateKeyPair } from '../../halo'
import { defaultMeshSettings } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { deviceStorage } from './device-storage'
import { startMeshService, type MeshIdentity, type MeshService, type RoomEntry } from './mesh-service'
import { memberIdentity } from './testing/member-identity'

const opened: { echo: Echo; service: MeshService }[] = []
afterEach(async () => {
  for (const { echo, service } of opened.splice(0)) {
    await service.stop()
    await echo.close()
  }
})

const WAIT = { timeout: 10_000 }
const clock = new ManualClock(T0)

/** Mallory runs her own code: it admits anyone and lets anyone write. */
const hostileIdentity = (actor: Actor, spaces: Map<SpaceId, Space>, echo: Echo): MeshIdentity => ({
  ...memberIdentity(actor, spaces, clock, echo),
  admits: () => undefined,
  mayWrite: () => true,
})

const roomOf = (spaceId: SpaceId): RoomEntry => ({
  spaceId,
  generation: 1,
  room: { roomId: `room-${spaceId}`, password: 'pw' },
})

/** Carol's space S (Ada an editor) and Mallory's T (Ada an editor) whose root lists S's object documents. */
const setUp = async (options: { malloryWasInS: boolean }) => {
  const network = new FakeTrystero()
  const carol = makeDeviceActor(generateKeyPair(), clock)
  const ada = makeDeviceActor(generateKeyPair(), clock)
  const mallory = makeDeviceActor(generateKeyPair(), clock)
  const start = async (name: string, identityOf: (echo: Echo) => MeshIdentity, echo: Echo) => {
    const identity = identityOf(echo)
    const rooms = new Cell<readonly RoomEntry[]>([])
    const service = startMeshService({
      echo,
      identity,
      rooms,
      onAccessChange: () => () => undefined,
      settings: defaultMeshSettings({}),
      page: network.page(name),
      storage: await deviceStorage(echo, identity.deviceKey),
    })
    opened.push({ echo, service })
    return { echo, service, rooms }
  }
  const carolSpaces = new Map<SpaceId, Space>()
  const c = await start('carol', (echo) => memberIdentity(carol, carolSpaces, clock, echo), openTestEcho({ clock }))
  const secret = await c.echo.createSpace(carol, 'Secret')
  carolSpaces.set(secret.id, secret)
  const plan = await secret.createNote(carol, 'Plan', 'the secret plan')
  if (!plan.ok) throw plan.error
  if (options.malloryWasInS) {
    if (!secret.admit(carol, mallory.identity, 'editor').ok) throw new Error('admit mallory')
    if (!secret.remove(carol, mallory.identity).ok) throw new Error('remove mallory')
  }
  if (!secret.admit(carol, ada.identity, 'editor').ok) throw new Error('admit ada')
  const sObjects = objectDocumentsOf(secret).map((handle) => handle.documentId)
  const mSpaces = new Map<SpaceId, Space>()
  const mEcho = openTestEcho({ clock })
  const m = await start('mallory', (echo) => hostileIdentity(mallory, mSpaces, echo), mEcho)
  const theirs = await mEcho.createSpace(mallory, 'Recipes')
  mSpaces.set(theirs.id, theirs)
  if (!theirs.admit(mallory, ada.identity, 'editor').ok) throw new Error('admit ada in T')
  rootOf(theirs).change((doc) => {
    for (const id of sObjects) doc.documents[id] = 'objects'
  })
  m.rooms.set([roomOf(theirs.id)])
  c.rooms.set([roomOf(secret.id)])
  const adaDb = `claims-ada-${crypto.randomUUID()}`
  const adaDevice = async (name: string) => {
    const spaces = new Map<SpaceId, Space>()
    const device = await start(
      name,
      (echo) => memberIdentity(ada, spaces, clock, echo),
      openTestEcho({ clock, name: adaDb }),
    )
    const adopt = async (space: Space) => {
      const forget = device.service.access.expect(rootOf(space).documentId, space.id)
      const adopted = await device.echo.adoptSpace({
        identity: ada.identity,
        spaceId: space.id,
        rootUrl: rootOf(space).url,
      })
      forget()
      if (!adopted.ok) throw adopted.error
      spaces.set(space.id, adopted.value)
      return adopted.value
    }
    return { ...device, spaces, adopt }
  }
  return { carol, secret, plan: plan.value, sObjects, mEcho, theirs, adaDevice }
}

describe('a root that lists another space’s documents (review 12, F6)', { timeout: 60_000 }, () => {
  it('a member removed from S reads nothing of S through T, whichever space Ada’s device opens first after a restart', async () => {
    const { carol, secret, sObjects, mEcho, theirs, adaDevice } = await setUp({ malloryWasInS: true })
    const a = await adaDevice('ada')
    a.rooms.set([roomOf(secret.id)])
    const onAda = await a.adopt(secret)
    const after = await secret.createNote(carol, 'After removal', 'written after Mallory was removed')
    if (!after.ok) throw after.error
    await vi.waitFor(async () => {
      expect((await onAda.get(after.value.id))?.fields).toMatchObject({ title: 'After removal' })
    }, WAIT)
    a.rooms.set([roomOf(secret.id), roomOf(theirs.id)])
    await a.adopt(theirs)
    for (const id of sObjects) expect(a.echo.spaceOfDocument(id)).toBe(secret.id)
    // Ada's browser restarts; this time T's root is followed before S's (in the client both open at once).
    await a.service.stop()
    await a.echo.close()
    const restarted = await adaDevice('ada-again')
    for (const id of [theirs.id, secret.id]) {
      const reopened = await restarted.echo.openSpace(id)
      if (!reopened.ok) throw reopened.error
      restarted.spaces.set(id, reopened.value)
      if (id === theirs.id) for (const doc of sObjects) expect(restarted.echo.spaceOfDocument(doc)).toBeUndefined()
    }
    for (const id of sObjects) expect(restarted.echo.spaceOfDocument(id)).toBe(secret.id)
    restarted.rooms.set([roomOf(secret.id), roomOf(theirs.id)])
    // Carol's next note still reaches Ada's S.
    const later = await secret.createNote(carol, 'Later', 'after the restart')
    if (!later.ok) throw later.error
    await vi.waitFor(async () => {
      expect((await restarted.spaces.get(secret.id)?.get(later.value.id))?.fields).toMatchObject({ title: 'Later' })
    }, WAIT)
    // Mallory asks Ada's device for S's objects by id, from T's room: nothing she did not have comes back.
    const [first] = sObjects
    if (first === undefined) throw new Error('no objects document')
    const asked = await repoOf(mEcho).find<{ objects?: Record<string, unknown> }>(first, {
      allowableStates: ['ready', 'unavailable'],
    })
    await vi.waitFor(() => {
      expect(asked.state).toBe('unavailable')
    }, WAIT)
    expect(JSON.stringify(asked.isReady() ? asked.doc() : {})).not.toContain('After removal')
    // T on Ada's device shows none of S's objects as its own.
    const t = restarted.spaces.get(theirs.id)
    await t?.loaded()
    expect(await t?.get(after.value.id)).toBeUndefined()
  })

  it('Ada, in T before she joins S, still gets S’s objects from S’s members', async () => {
    const { secret, plan, sObjects, theirs, adaDevice } = await setUp({ malloryWasInS: false })
    const a = await adaDevice('ada')
    a.rooms.set([roomOf(theirs.id)])
    await a.adopt(theirs)
    a.rooms.set([roomOf(theirs.id), roomOf(secret.id)])
    const onAda = await a.adopt(secret)
    await vi.waitFor(async () => {
      expect((await onAda.get(plan.id))?.fields).toMatchObject({ title: 'Plan' })
    }, WAIT)
    for (const id of sObjects) expect(a.echo.spaceOfDocument(id)).toBe(secret.id)
  })
})
