// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, uniqueDatabaseName } from '../testing/fixtures'
import { describe, expect, it } from 'vitest'
import { broadcastChannelNetwork } from '../echo'
import type { ObjectId, SpaceId } from '../ids'
import { openEchoDatabase } from '../storage/echo-database'
import { chunkWriteHook } from '../storage/quota-budget'
import { waitFor } from '../testing/wait-for'
import { storedDocuments } from '../storage/stored-documents'
import type { ObjectsDoc } from './documents'
import { toStored } from './documents'
import { documentsOf, objectDocumentsOf } from '../testing/internals'

/** Runs `hook.run` once, at the first chunk write after it is set: mid-compaction, after the snapshot was taken. */
const onNextWrite = (hook: { run?: (() => void) | undefined }) =>
  chunkWriteHook(() => {
    const run = hook.run
    hook.run = undefined
    run?.()
    return undefined
  })

const titlesOf = async (space: { find: (query: { type: 'task' }) => Promise<{ fields: { title: string } }[]> }) =>
  (await space.find({ type: 'task' })).map((task) => task.fields.title).sort()

/** What a later start sees: the space opened, replaced documents collected, the index rebuilt from documents. */
const afterRestart = async (name: string, id: SpaceId) => {
  const echo = openTestEcho({ name })
  const opened = await echo.openSpace(id)
  if (!opened.ok) throw opened.error
  const collected = await opened.value.collectRetired()
  await echo.rebuildIndex(opened.value)
  const titles = await titlesOf(opened.value)
  await echo.close()
  return { titles, collected }
}

const retitle = (id: ObjectId, title: string) => (doc: ObjectsDoc) => {
  const record = doc.objects[id] as { fields: Record<string, unknown>; updatedAt: number }
  record.fields.title = toStored(title)
}

// Each test builds, exports and reopens spaces: seconds on a loaded 2-core machine.
describe('writes during and after compaction', { timeout: 30_000 }, () => {
  it('a change made to an old document after the snapshot is carried into its replacement', async () => {
    const name = uniqueDatabaseName()
    const hook: { run?: (() => void) | undefined } = {}
    const db = openEchoDatabase({ name })
    db.use(onNextWrite(hook))
    const alice = makeActor()
    const echo = openTestEcho({ db })
    const space = await echo.createSpace(alice, 'Busy')
    const rent = await space.create(alice, 'task', { title: 'Pay rent', done: false, order: 'a0' })
    await space.create(alice, 'task', { title: 'Water plants', done: false, order: 'a1' })
    if (!rent.ok) throw rent.error
    expect((await echo.flush()).ok).toBe(true)
    const [old] = objectDocumentsOf(space)
    if (old === undefined) throw new Error('no object document')
    // A peer (or a tab that does not take the lock) writes into the old document while the fresh ones are saved.
    hook.run = () => old.change(retitle(rent.value.id, 'Pay rent (late)'))

    const epoch = await space.createEpoch(alice)
    expect(epoch.ok).toBe(true)
    expect(hook.run).toBeUndefined()
    await echo.settled()
    expect(await titlesOf(space)).toEqual(['Pay rent (late)', 'Water plants'])
    await echo.close()
    const later = await afterRestart(name, space.id)
    expect(later.titles).toEqual(['Pay rent (late)', 'Water plants'])
    expect(later.collected).toEqual({ ok: true, value: 1 })
  })

  it('a change reaching an old document after compaction is carried over at once, and again before it is deleted', async () => {
    const name = uniqueDatabaseName()
    const alice = makeActor()
    const echo = openTestEcho({ name })
    const space = await echo.createSpace(alice, 'Late peer')
    const rent = await space.create(alice, 'task', { title: 'Pay rent', done: false, order: 'a0' })
    if (!rent.ok) throw rent.error
    const [old] = objectDocumentsOf(space)
    if (old === undefined) throw new Error('no object document')
    expect((await space.createEpoch(alice)).ok).toBe(true)
    // A peer that had not heard of the epoch syncs a change of the old document.
    old.change(retitle(rent.value.id, 'Rent paid by the peer'))
    await echo.settled()
    expect(await titlesOf(space)).toEqual(['Rent paid by the peer'])
    expect((await echo.close()).ok).toBe(true)

    const later = await afterRestart(name, space.id)
    expect(later.titles).toEqual(['Rent paid by the peer'])
    expect(later.collected).toEqual({ ok: true, value: 1 })
    const check = openEchoDatabase({ name })
    expect([...(await storedDocuments(check, [old.documentId]))]).toEqual([])
    check.close()
  })

  it('a change that reached only the stored old document is carried over at the next start', async () => {
    const name = uniqueDatabaseName()
    const alice = makeActor()
    const echo = openTestEcho({ name })
    const space = await echo.createSpace(alice, 'Stored late')
    const rent = await space.create(alice, 'task', { title: 'Pay rent', done: false, order: 'a0' })
    if (!rent.ok) throw rent.error
    const [old] = objectDocumentsOf(space)
    if (old === undefined) throw new Error('no object document')
    expect((await space.createEpoch(alice)).ok).toBe(true)
    expect((await echo.close()).ok).toBe(true)
    // Something else on this device (a tab with no channel to this one) wrote into the old document.
    const other = openTestEcho({ name })
    ;(await documentsOf(other).find<ObjectsDoc>(old.documentId)).change(retitle(rent.value.id, 'Written elsewhere'))
    expect((await other.close()).ok).toBe(true)

    const later = await afterRestart(name, space.id)
    expect(later.titles).toEqual(['Written elsewhere'])
    expect(later.collected).toEqual({ ok: true, value: 1 })
  })

  it('a write in another tab waits for the compaction and is kept', async () => {
    const name = uniqueDatabaseName()
    const channel = `channel-${name}`
    const hook: { run?: (() => void) | undefined } = {}
    const db = openEchoDatabase({ name })
    db.use(onNextWrite(hook))
    const alice = makeActor()
    const tabA = openTestEcho({ db, network: [broadcastChannelNetwork(channel)] })
    const tabB = openTestEcho({ name, network: [broadcastChannelNetwork(channel)] })
    const space = await tabA.createSpace(alice, 'Two tabs')
    const first = await space.create(alice, 'task', { title: 'before', done: false, order: 'a0' })
    if (!first.ok) throw first.error
    expect((await tabA.flush()).ok).toBe(true)
    const opened = await tabB.openSpace(space.id)
    if (!opened.ok) throw opened.error
    const inB = opened.value
    await inB.loaded()
    expect((await inB.create(alice, 'task', { title: 'from B, early', done: false, order: 'a1' })).ok).toBe(true)

    const order: string[] = []
    let during: Promise<unknown> | undefined
    hook.run = () => {
      during = inB.create(alice, 'task', { title: 'from B, during compaction', done: false, order: 'a2' })
      void during.then(() => order.push('B wrote'))
    }
    expect((await space.createEpoch(alice)).ok).toBe(true)
    order.push('epoch recorded')
    expect(await during).toMatchObject({ ok: true })
    // B asked while A was compacting; the objects lock made it wait until A was done.
    expect(order).toEqual(['epoch recorded', 'B wrote'])
    // Whichever document B's write went into, both tabs show it now, not only after a restart.
    for (const tab of [space, inB]) {
      const live = tab.query({ type: 'task' })
      await waitFor(live, (state) => state.status === 'ready' && state.objects.length === 3)
      live.close()
    }
    expect((await tabB.close()).ok).toBe(true)
    expect((await tabA.close()).ok).toBe(true)

    const later = await afterRestart(name, space.id)
    expect(later.titles).toEqual(['before', 'from B, during compaction', 'from B, early'])
  })
})
