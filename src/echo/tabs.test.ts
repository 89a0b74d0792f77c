// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, uniqueDatabaseName } from './testing/fixtures'
import { describe, expect, it } from 'vitest'
import { broadcastChannelNetwork } from './echo'
import { documentsOf, repoOf, rootOf } from './testing/internals'
import { pairedAdapters, whenPeer } from './testing/paired-network'
import { waitFor } from './testing/wait-for'

describe('two tabs of one browser', () => {
  it('see each other’s changes live: documents over BroadcastChannel, one shared index', async () => {
    const name = uniqueDatabaseName()
    const channel = `channel-${name}`
    const alice = makeActor()
    const tabA = openTestEcho({ name, network: [broadcastChannelNetwork(channel)] })
    const tabB = openTestEcho({ name, network: [broadcastChannelNetwork(channel)] })
    const space = await tabA.createSpace(alice, 'Shared')
    expect((await tabA.flush()).ok).toBe(true)

    const opened = await tabB.openSpace(space.id)
    if (!opened.ok) throw opened.error
    const inB = opened.value
    const live = inB.query({ type: 'task' })
    await space.create(alice, 'task', { title: 'from tab A', done: false, order: 'a0' })
    const seen = await waitFor(live, (state) => state.status === 'ready' && state.objects.length === 1)
    expect(seen.status === 'ready' && seen.objects[0]?.fields.title).toBe('from tab A')

    // A change made in tab B reaches tab A's document.
    const task = (await inB.find({ type: 'task' }))[0]
    if (task === undefined) throw new Error('task missing in tab B')
    expect((await inB.update(alice, task.id, 'task', { done: true })).ok).toBe(true)
    const inA = space.query({ type: 'task', where: { done: true } })
    await waitFor(inA, (state) => state.status === 'ready' && state.objects.length === 1)
    live.close()
    inA.close()
    await tabB.close()
    await tabA.close()
  })

  it('a tab that replicates asks its peers for what it lacks at once, without waiting for the other tabs', async () => {
    const name = uniqueDatabaseName()
    // No other tab answers, and the wait for one is longer than this test may run.
    const leader = openTestEcho({
      name,
      peerId: 'cp1.aa.1',
      network: [broadcastChannelNetwork(`channel-${name}`, { peerWaitMs: 600_000 })],
    })
    const peer = openTestEcho({ peerId: 'cp1.bb.2' })
    const space = await peer.createSpace(makeActor(), 'Work')
    const [toPeer, toLeader] = pairedAdapters()
    const everything = { access: () => true, announce: () => true }
    leader.replicate(toPeer, everything)
    peer.replicate(toLeader, everything)
    await Promise.all([whenPeer(repoOf(leader), 'cp1.bb.2'), whenPeer(repoOf(peer), 'cp1.aa.1')])

    const root = await documentsOf(leader).find<{ name?: string }>(rootOf(space).url)
    expect(String(root.doc().name)).toBe('Work')
    await leader.close()
    await peer.close()
  })
})
