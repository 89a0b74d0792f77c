import './testing/node-runtime'
import { Repo, type PeerId, type StorageId } from '@automerge/automerge-repo/slim'
import { describe, expect, it, vi } from 'vitest'
import type { SpaceId } from './ids'
import { PeerSync } from './peer-sync'

const SPACE = 'a'.repeat(64) as SpaceId
const PEER = 'cp1.remote' as PeerId
const STORAGE = 'remote-storage' as StorageId

/** A repo whose peer `PEER` is known with a storage id, as the mesh adapter announces a device. */
const setup = (count: number) => {
  const repo = new Repo({})
  repo.peerMetadataByPeerId[PEER] = { storageId: STORAGE, isEphemeral: false }
  const handles = Array.from({ length: count }, (_, at) => repo.create({ n: at }))
  const sync = new PeerSync(repo, () => SPACE, 0)
  return { repo, handles, sync }
}

describe('PeerSync', () => {
  it('counts a document pending until the heads the peer reported equal ours, and again after a local change', async () => {
    const { handles, sync } = setup(2)
    const [first, second] = handles
    if (first === undefined || second === undefined) throw new Error('no handles')
    let changes = 0
    const watch = sync.watch(PEER, () => changes++)
    // Nothing reported yet: both documents we hold are pending.
    expect(watch.pending(SPACE)).toBe(2)
    expect(watch.pending('b'.repeat(64) as SpaceId)).toBe(0)
    first.setSyncInfo(STORAGE, { lastHeads: first.heads(), lastSyncTimestamp: 1 })
    await vi.waitFor(() => {
      expect(watch.pending(SPACE)).toBe(1)
    })
    second.setSyncInfo(STORAGE, { lastHeads: second.heads(), lastSyncTimestamp: 1 })
    await vi.waitFor(() => {
      expect(watch.pending(SPACE)).toBe(0)
    })
    first.change((doc) => {
      doc.n = 100
    })
    await vi.waitFor(() => {
      expect(watch.pending(SPACE)).toBe(1)
    })
    expect(changes).toBeGreaterThanOrEqual(3)
    watch.stop()
    sync.close()
  })

  it('counts a document under the space it is listed in by the next turn', async () => {
    const repo = new Repo({})
    repo.peerMetadataByPeerId[PEER] = { storageId: STORAGE, isEphemeral: false }
    const handle = repo.create({ n: 0 })
    const listed: { space?: SpaceId } = {}
    const sync = new PeerSync(repo, () => listed.space, 0)
    const watch = sync.watch(PEER, () => undefined)
    expect(watch.pending(SPACE)).toBe(0)
    listed.space = SPACE
    await Promise.resolve()
    expect(watch.pending(SPACE)).toBe(1)
    handle.setSyncInfo(STORAGE, { lastHeads: handle.heads(), lastSyncTimestamp: 1 })
    await vi.waitFor(() => {
      expect(watch.pending(SPACE)).toBe(0)
    })
    watch.stop()
    sync.close()
  })

  it('counts only the documents the peer sees, and asks again when access changed', async () => {
    const { handles, sync } = setup(2)
    const [root, other] = handles
    if (root === undefined || other === undefined) throw new Error('no handles')
    const seen = new Set([root.documentId])
    let changes = 0
    const watch = sync.watch(
      PEER,
      () => changes++,
      (documentId) => seen.has(documentId),
    )
    expect(watch.pending(SPACE)).toBe(1)
    expect(watch.state()).not.toContain(other.documentId)
    root.setSyncInfo(STORAGE, { lastHeads: root.heads(), lastSyncTimestamp: 1 })
    await vi.waitFor(() => {
      expect(watch.pending(SPACE)).toBe(0)
    })
    // Access changing without changing what it counts says nothing: that would put off the peer's stall restart.
    const before = changes
    sync.accessChanged()
    expect(changes).toBe(before)
    // Given everything now (met in the current room): the other document counts, and the watcher hears of it.
    seen.add(other.documentId)
    sync.accessChanged()
    expect(changes).toBe(before + 1)
    expect(watch.pending(SPACE)).toBe(1)
    expect(watch.state()).toContain(other.documentId)
    watch.stop()
    sync.close()
  })

  it("states the pending documents with both sides' heads: the same until either side's heads move", () => {
    const { handles, sync } = setup(1)
    const [first] = handles
    if (first === undefined) throw new Error('no handle')
    // Heads the peer may report that are not ours: another repo's document's.
    const elsewhere = new Repo({}).create({ n: 0 })
    const watch = sync.watch(PEER, () => undefined)
    first.setSyncInfo(STORAGE, { lastHeads: elsewhere.heads(), lastSyncTimestamp: 1 })
    const before = watch.state()
    expect(before).toContain(first.documentId)
    expect(watch.state()).toBe(before)
    elsewhere.change((doc) => {
      doc.n = 1
    })
    first.setSyncInfo(STORAGE, { lastHeads: elsewhere.heads(), lastSyncTimestamp: 2 })
    const reported = watch.state()
    expect(reported).not.toBe(before)
    first.change((doc) => {
      doc.n = 7
    })
    expect(watch.state()).not.toBe(reported)
    watch.stop()
    sync.close()
  })

  it('compares once a peer is announced, even when the heads it reported at an earlier meeting still match', async () => {
    const repo = new Repo({})
    const handle = repo.create({ n: 1 })
    // Reported at an earlier meeting; the peer now comes back under a new id, not announced yet.
    handle.setSyncInfo(STORAGE, { lastHeads: handle.heads(), lastSyncTimestamp: 1 })
    const sync = new PeerSync(repo, () => SPACE, 0)
    const watch = sync.watch(PEER, () => undefined)
    expect(watch.pending(SPACE)).toBe(1)
    repo.networkSubsystem.emit('peer', { peerId: PEER, peerMetadata: { storageId: STORAGE, isEphemeral: false } })
    await vi.waitFor(() => {
      expect(watch.pending(SPACE)).toBe(0)
    })
    watch.stop()
    sync.close()
  })

  it('costs little with many documents: one pass when watched, one batch for a burst of reports', async () => {
    // 1,000 here (making each document costs the repo ~6 ms on this machine); PEER_SYNC_DOCS=10000 for the big space.
    const count = Number(process.env.PEER_SYNC_DOCS ?? 1_000)
    const { handles, sync } = setup(count)
    let batches = 0
    const started = performance.now()
    const watch = sync.watch(PEER, () => batches++)
    const sweep = performance.now() - started
    expect(watch.pending(SPACE)).toBe(count)
    // What the status pays per space while everything is pending (it asks once per batch).
    const counting = performance.now()
    for (let at = 0; at < 100; at++) watch.pending(SPACE)
    const perCount = (performance.now() - counting) / 100
    // Every document's heads reported at once (a first meeting): marked, then compared in one batch.
    const burst = performance.now()
    for (const handle of handles) handle.setSyncInfo(STORAGE, { lastHeads: handle.heads(), lastSyncTimestamp: 1 })
    const reporting = performance.now() - burst
    await vi.waitFor(() => {
      expect(watch.pending(SPACE)).toBe(0)
    })
    const settled = performance.now() - burst
    expect(batches).toBe(1)
    console.info(
      `${String(count)} documents: watch ${sweep.toFixed(1)} ms; ${String(count)} reports ${reporting.toFixed(1)} ms (the repo's own events ` +
        `included), compared in ${String(batches)} batch, settled after ${settled.toFixed(1)} ms (waiting on the repo's own work); pending() with all pending ${perCount.toFixed(2)} ms`,
    )
    watch.stop()
    sync.close()
  }, 60_000)
})
