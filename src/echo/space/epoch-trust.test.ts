// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { exported, makeActor, openTestEcho, uniqueDatabaseName } from '../testing/fixtures'
import { change, load, save } from '@automerge/automerge/slim'
import { describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url } from '../../base'
import type { Echo } from '../echo'
import type { SpaceId } from '../ids'
import { issueEpoch } from '../membership/entries'
import type { Actor } from '../membership/entries'
import type { EchoDatabase } from '../storage/echo-database'
import type { DocumentId, EpochManifest, ObjectsDoc } from './documents'
import { manifestHash } from './epoch-manifest'
import type { Space } from './space'
import { dbOf, documentsOf, objectDocumentsOf, rootOf } from '../testing/internals'

/** The stored chunks of one document, bytes included: what "left untouched" is compared on. */
const chunksOf = (db: EchoDatabase, id: string) => db.chunks.filter((chunk) => chunk.key[0] === id).toArray()

const firstObjects = (space: Space): DocumentId => {
  const id = objectDocumentsOf(space)[0]?.documentId
  if (id === undefined) throw new Error('no object document')
  return id
}

/** Alice's space V with a task, and Mallory's own space S (one task) as a file. */
const victimAndMallory = async () => {
  const name = uniqueDatabaseName()
  const alice = makeActor()
  const echo = openTestEcho({ name })
  const work = await echo.createSpace(alice, 'Work')
  const task = await work.create(alice, 'task', { title: 'Pay rent', done: false, order: 'a0' })
  if (!task.ok) throw task.error
  expect((await echo.flush()).ok).toBe(true)
  const w = firstObjects(work)
  const mallory = makeActor()
  const theirs = openTestEcho()
  const own = await theirs.createSpace(mallory, 'Mallory')
  await own.create(mallory, 'task', { title: 'bait', done: false, order: 'a0' })
  const f = firstObjects(own)
  const file = await exported(theirs, own)
  await theirs.close()
  return { name, alice, echo, work, w, mallory, own: own.id, f, file }
}

const hostileManifest = (w: DocumentId, f: DocumentId, heads: string[]): EpochManifest => ({
  number: 1,
  documents: {},
  replaced: { [w]: { into: f, heads } },
})

const titlesAfterReload = async (name: string, ids: readonly SpaceId[], work: SpaceId) => {
  const again = openTestEcho({ name })
  for (const id of ids) {
    const opened = await again.openSpace(id)
    if (!opened.ok) throw opened.error
    expect(await opened.value.collectRetired()).toEqual({ ok: true, value: 0 })
  }
  const reopened = await again.openSpace(work)
  if (!reopened.ok) throw reopened.error
  await again.rebuildIndex(reopened.value)
  const titles = (await reopened.value.find({ type: 'task' })).map((task) => task.fields.title)
  await again.close()
  return titles
}

const signEpoch = async (echo: Echo, space: Space, actor: Actor, manifest: EpochManifest) => {
  const snapshot = await manifestHash(manifest)
  rootOf(space).change((doc) => {
    doc.epochs[snapshot] = manifest
  })
  space.append(
    issueEpoch({
      actor,
      space: space.id,
      number: manifest.number,
      snapshot,
      parents: space.membership.get().heads,
      clock: echo.clock,
    }),
  )
  await space.refresh()
  expect(space.membership.get().epoch?.snapshot).toBe(snapshot)
}

// Each test builds, exports and reopens spaces: seconds on a loaded 2-core machine.
describe("an epoch cannot reach another space's documents", { timeout: 30_000 }, () => {
  it("refuses a space file whose epochs replace another space's document; it stays stored, byte for byte", async () => {
    const { name, echo, work, w, f, file } = await victimAndMallory()
    const json = JSON.parse(file) as { root: string; documents: Record<string, string> }
    const rootBytes = fromBase64Url(json.documents[json.root] ?? '')
    if (rootBytes === undefined) throw new Error('root missing')
    const heads = [...((await documentsOf(echo).find<ObjectsDoc>(w)).heads() as string[])]
    json.documents[json.root] = toBase64Url(
      save(
        change(load<{ epochs: Record<string, unknown> }>(rootBytes), (doc) => {
          doc.epochs['sha256:x'] = hostileManifest(w, f, heads)
        }),
      ),
    )
    const before = await chunksOf(dbOf(echo), w)
    const result = await echo.importSpace(makeActor(), JSON.stringify(json))
    expect(result.ok ? 'imported' : result.error.message).toMatch(/epochs name document .* of another space/)
    expect((await echo.flush()).ok).toBe(true)
    expect(await chunksOf(dbOf(echo), w)).toEqual(before)
    expect((await work.find({ type: 'task' })).map((task) => task.fields.title)).toEqual(['Pay rent'])
    await echo.close()
    expect(await titlesAfterReload(name, [work.id], work.id)).toEqual(['Pay rent'])
  })

  it("an applied epoch of another space neither copies nor deletes this space's document", async () => {
    const { name, alice, echo, work, w, mallory, own, f, file } = await victimAndMallory()
    const imported = await echo.importSpace(alice, file)
    if (!imported.ok) throw imported.error
    // As a peer would bring it: Mallory's genuinely signed epoch, whose manifest names Alice's document.
    await signEpoch(echo, imported.value, mallory, hostileManifest(w, f, []))
    const [task] = await work.find({ type: 'task' })
    if (task === undefined) throw new Error('no task')
    const updated = await work.update(alice, task.id, 'task', { title: 'Pay rent (written while followed)' })
    expect(updated.ok).toBe(true)
    await echo.settled()
    expect((await imported.value.find({ type: 'task' })).map((t) => t.fields.title)).toEqual(['bait'])
    expect((await echo.flush()).ok).toBe(true)
    const before = await chunksOf(dbOf(echo), w)
    await echo.close()
    expect(await titlesAfterReload(name, [own, work.id], work.id)).toEqual(['Pay rent (written while followed)'])
    const again = openTestEcho({ name })
    expect(await chunksOf(dbOf(again), w)).toEqual(before)
    await again.close()
  })

  it('a manifest with no applied Epoch credential (a removed member writing the root) deletes nothing', async () => {
    const { name, echo, work, w } = await victimAndMallory()
    const old = await documentsOf(echo).find<ObjectsDoc>(w)
    const fresh = documentsOf(echo).create<ObjectsDoc>({ kind: 'commonplace/objects', space: work.id, objects: {} })
    const manifest = hostileManifest(w, fresh.documentId, [...(old.heads() as string[])])
    rootOf(work).change((doc) => {
      Reflect.deleteProperty(doc.documents, w)
      doc.documents[fresh.documentId] = 'objects'
      doc.epochs['sha256:forged'] = manifest
    })
    expect(work.membership.get().epoch).toBeUndefined()
    expect((await echo.flush()).ok).toBe(true)
    const before = await chunksOf(dbOf(echo), w)
    await echo.close()
    const again = openTestEcho({ name })
    const reopened = await again.openSpace(work.id)
    if (!reopened.ok) throw reopened.error
    expect(await reopened.value.collectRetired()).toEqual({ ok: true, value: 0 })
    expect(await chunksOf(dbOf(again), w)).toEqual(before)
    await again.close()
  })
})
