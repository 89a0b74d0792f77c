import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Cell } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import { issueInvitationUse, type Actor, type Echo, type Space, type SpaceId } from '../../echo'
import { makeDeviceActor } from '../../echo/testing/device-actor'
import { openTestEcho, T0 } from '../../echo/testing/fixtures'
import { objectDocumentsOf, rootOf } from '../../echo/testing/internals'
import { headsOf, storedHeads } from '../../echo/testing/stored-heads'
import { generateKeyPair, invitationKey, newLinkSecret } from '../../halo'
import { defaultMeshSettings } from '../../mesh'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import { deviceStorage } from './device-storage'
import { startMeshService, type MeshService, type RoomEntry } from './mesh-service'
import { memberIdentity } from './testing/member-identity'

const opened: { echo: Echo; service: MeshService }[] = []
afterEach(async () => {
  traced.length = 0
  for (const { echo, service } of opened.splice(0)) {
    await service.stop()
    await echo.close()
  }
})

const WAIT = { timeout: 10_000 }

/** The mesh's trace lines of the test running, both devices'. */
const traced: string[] = []

/**
 * Waits as `vi.waitFor` does (`WAIT` unless given); when the wait fails, the mesh's last trace lines go with the
 * error, which alone can say where a sync stopped.
 */
const waitTraced = async (check: () => unknown, wait = WAIT): Promise<void> => {
  try {
    await vi.waitFor(check, wait)
  } catch (error) {
    throw new Error(`${String(error)}\nlast mesh traces:\n${traced.slice(-40).join('\n')}`, { cause: error })
  }
}
const clock = new ManualClock(T0)

const roomOf = (spaceId: SpaceId): RoomEntry => ({
  spaceId,
  generation: 1,
  room: { roomId: `room-${spaceId}`, password: 'pw' },
})

/** The owner's space, shared over the fake Trystero with a second person in `role`, who adopts it. */
const shared = async (role: 'viewer' | 'editor') => {
  const network = new FakeTrystero()
  const owner = makeDeviceActor(generateKeyPair(), clock)
  const other = makeDeviceActor(generateKeyPair(), clock)
  const start = async (name: string, actor: Actor, spaces: Map<SpaceId, Space>) => {
    const echo = openTestEcho({ clock })
    const rooms = new Cell<readonly RoomEntry[]>([])
    const service = startMeshService({
      echo,
      identity: memberIdentity(actor, spaces, clock, echo),
      rooms,
      onAccessChange: () => () => undefined,
      settings: defaultMeshSettings({}),
      page: network.page(name),
      trace: (event, fields) => {
        traced.push(`${String(Math.round(performance.now()))} ${name} ${event} ${JSON.stringify(fields ?? {})}`)
      },
      storage: await deviceStorage(echo, actor.signer.key.publicKey),
    })
    opened.push({ echo, service })
    return { echo, service, rooms }
  }
  const ownerSpaces = new Map<SpaceId, Space>()
  const a = await start('owner', owner, ownerSpaces)
  const work = await a.echo.createSpace(owner, 'Garden plans')
  ownerSpaces.set(work.id, work)
  const note = await work.createNote(owner, 'Plan', 'the text')
  if (!note.ok) throw note.error
  const admitted = work.admit(owner, other.identity, role)
  if (!admitted.ok) throw admitted.error
  const otherSpaces = new Map<SpaceId, Space>()
  const b = await start('other', other, otherSpaces)
  a.rooms.set([roomOf(work.id)])
  b.rooms.set([roomOf(work.id)])
  const forget = b.service.access.expect(rootOf(work).documentId, work.id)
  const adopted = await b.echo.adoptSpace({ identity: other.identity, spaceId: work.id, rootUrl: rootOf(work).url })
  forget()
  if (!adopted.ok) throw adopted.error
  const theirs = adopted.value
  otherSpaces.set(work.id, theirs)
  return { network, owner, other, work, ownerEcho: a.echo, theirs, noteId: note.value.id }
}

/** Writes to every document of `space` straight through Automerge, as a device that ignores the rules would. */
const forceChanges = (space: Space): void => {
  rootOf(space).change((doc) => {
    doc.name = 'Taken over'
  })
  for (const handle of objectDocumentsOf(space)) {
    handle.change((doc) => {
      doc.objects.forced = { by: 'a member' }
    })
  }
}

describe('a member who may not write', { timeout: 30_000 }, () => {
  it('is sent the owner’s edits live, and what its device changes anyway is not applied by the owner', async () => {
    const { network, owner, work, ownerEcho, theirs, noteId } = await shared('viewer')
    const live = await work.createNote(owner, 'Live', 'from the owner')
    if (!live.ok) throw live.error
    await waitTraced(async () => {
      expect((await theirs.get(live.value.id))?.fields).toMatchObject({ title: 'Live' })
    })
    const documents = [rootOf(work), ...objectDocumentsOf(work)]
    const before = documents.map(headsOf)
    const sent = network.bytes({ from: 'other', to: 'owner', action: 'cp.am' })
    forceChanges(theirs)
    expect(theirs.name).toBe('Taken over')
    // The viewer's device sends its changes …
    await waitTraced(() => {
      expect(network.bytes({ from: 'other', to: 'owner', action: 'cp.am' })).toBeGreaterThan(sent)
    })
    // … and the owner's later edits still reach it, after the owner has heard those changes.
    const later = await work.createNote(owner, 'Later', 'still live')
    if (!later.ok) throw later.error
    const afterEdit = [rootOf(work), ...objectDocumentsOf(work)].map(headsOf)
    await waitTraced(async () => {
      expect((await theirs.get(later.value.id))?.fields).toMatchObject({ title: 'Later' })
    })
    expect(work.name).toBe('Garden plans')
    expect(await work.get(noteId)).toBeDefined()
    for (const handle of objectDocumentsOf(work)) expect(handle.doc().objects.forced).toBeUndefined()
    // The owner's documents moved only by the owner's own edit.
    expect(afterEdit).not.toEqual(before)
    const documentsNow = [rootOf(work), ...objectDocumentsOf(work)]
    expect(documentsNow.map(headsOf)).toEqual(afterEdit)
    expect(await storedHeads(ownerEcho, documentsNow)).toEqual(afterEdit)
  })

  it('cannot make itself editor with the K of an invitation (a leaked link), backdated past expiry (review 12, F2)', async () => {
    const { owner, other, work, theirs, noteId } = await shared('viewer')
    await waitTraced(async () => {
      expect(await theirs.get(noteId)).toBeDefined()
    })
    const secret = newLinkSecret()
    const until = clock.now() + 60 * 60_000
    const issued = work.invite(owner, {
      key: invitationKey(secret).publicKey,
      role: 'editor',
      uses: 1,
      until,
    })
    if (!issued.ok) throw issued.error
    // K is never in the root (`space-invitations.test.ts`); here the viewer has it from a link that leaked.
    await waitTraced(() => {
      expect(theirs.membership.get().invitations.map((each) => each.id)).toContain(issued.value.id)
    })
    clock.advance(2 * 24 * 60 * 60_000)
    const use = issueInvitationUse({
      invitationKey: invitationKey(secret),
      space: work.id,
      invitation: issued.value.id,
      heads: [...theirs.membership.get().heads],
      guest: other.identity,
      role: 'editor',
      clock: new ManualClock(until - 1000),
    })
    // Its own raw log add: the screen strips it (not the viewer's own entry), so the owner never holds it.
    theirs.append(use)
    work.rename(owner, 'Renamed by the owner')
    await waitTraced(() => {
      expect(theirs.name).toBe('Renamed by the owner')
    })
    expect(rootOf(work).doc().log[use.id]).toBeUndefined()
    // And wherever it comes from, K alone admits nobody: the use waits for a host that never countersigns it.
    work.append(use)
    await waitTraced(() => {
      expect(work.membership.get().ignored).toContainEqual({ id: use.id, reason: 'awaiting-host' })
    })
    expect(work.roleOf(other.identity)).toBe('viewer')
  })

  it('fills no member’s root with junk under the log (review 12, F3)', async () => {
    const { owner, work, theirs, noteId } = await shared('viewer')
    await waitTraced(async () => {
      expect(await theirs.get(noteId)).toBeDefined()
    })
    rootOf(theirs).change((doc) => {
      doc.log['junk-0'] = { pad: 'x'.repeat(120_000) }
    })
    work.rename(owner, 'Renamed by the owner')
    // The viewer's 120 KB went out as its answer to the owner's last ask from the start, which charges the owner's
    // asks on the viewer's side (the mesh's resend budget): the next one, and the rename queued behind it, may wait
    // there up to the budget's 10 s (traced `resend held`; 1 run in about 60 here, twice in CI at a 10 s wait).
    await waitTraced(
      () => {
        expect(theirs.name).toBe('Renamed by the owner')
      },
      { timeout: 20_000 },
    )
    expect(Object.keys(rootOf(work).doc().log)).not.toContain('junk-0')
  })

  it('applies a viewer’s own entry in the log (leaving), which the fold allows it', async () => {
    const { work, theirs, other, noteId } = await shared('viewer')
    await waitTraced(async () => {
      expect(await theirs.get(noteId)).toBeDefined()
    })
    expect(work.roleOf(other.identity)).toBe('viewer')
    const left = theirs.remove(other, other.identity)
    if (!left.ok) throw left.error
    await waitTraced(() => {
      expect(work.roleOf(other.identity)).toBeUndefined()
    })
    expect(work.name).toBe('Garden plans')
  })

  it('applies an editor’s change', async () => {
    const { work, theirs, noteId } = await shared('editor')
    await waitTraced(async () => {
      expect(await theirs.get(noteId)).toBeDefined()
    })
    forceChanges(theirs)
    await waitTraced(() => {
      expect(work.name).toBe('Taken over')
      for (const handle of objectDocumentsOf(work)) expect(handle.doc().objects.forced).toEqual({ by: 'a member' })
    })
  })
})
