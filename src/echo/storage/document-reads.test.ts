import '../testing/node-runtime'
import * as A from '@automerge/automerge/slim'
import { describe, expect, it } from 'vitest'
import { DocumentReads } from './document-reads'
import type { ChunkRow } from './echo-database'

const row = (doc: string, seq: number): ChunkRow => ({
  seq,
  key: [doc, 'snapshot', String(seq)],
  data: new Uint8Array([seq]),
})

const counted = () => {
  const asked: string[] = []
  let clock = 0
  let seq = 0
  let refuse = false
  const reads = new DocumentReads(
    (doc) => {
      asked.push(doc)
      return refuse ? Promise.reject(new Error('refused')) : Promise.resolve([row(doc, ++seq)])
    },
    () => clock,
  )
  return {
    reads,
    asked,
    later: (ms: number) => (clock += ms),
    refuseNext: (value: boolean) => (refuse = value),
  }
}

describe('DocumentReads', () => {
  it('shares one read of a document among the reads asked for within a second, one per document', async () => {
    const { reads, asked, later } = counted()
    const first = await reads.rows('a')
    later(999)
    expect(await reads.rows('a')).toBe(first)
    await reads.rows('b')
    expect(asked).toEqual(['a', 'b'])
    later(1)
    expect(await reads.rows('a')).not.toBe(first)
    expect(asked).toEqual(['a', 'b', 'a'])
  })

  it('reads again after a write to the document, and only that document', async () => {
    const { reads, asked } = counted()
    await reads.rows('a')
    await reads.rows('b')
    reads.written('a')
    await reads.rows('a')
    await reads.rows('b')
    expect(asked).toEqual(['a', 'b', 'a'])
    reads.writtenAll()
    await reads.rows('b')
    expect(asked).toEqual(['a', 'b', 'a', 'b'])
  })

  it('tells a read kept for a document without starting one', () => {
    const { reads, asked, later } = counted()
    expect(reads.kept('a')).toBeUndefined()
    const first = reads.rows('a')
    expect(reads.kept('a')).toBe(first)
    later(1_000)
    expect(reads.kept('a')).toBeUndefined()
    expect(asked).toEqual(['a'])
  })

  it('does not share a refused read', async () => {
    const { reads, asked, refuseNext } = counted()
    refuseNext(true)
    await expect(reads.rows('a')).rejects.toThrow('refused')
    refuseNext(false)
    expect(await reads.rows('a')).toEqual([row('a', 1)])
    expect(asked).toEqual(['a', 'a'])
  })

  it('keeps at most 512 documents, the oldest going first', async () => {
    const { reads, asked } = counted()
    for (let index = 0; index <= 512; index += 1) await reads.rows(`doc-${index}`)
    await reads.rows('doc-512')
    await reads.rows('doc-1')
    expect(asked).toHaveLength(513)
    await reads.rows('doc-0')
    expect(asked).toHaveLength(514)
  })
})

interface Items extends Record<string, unknown> {
  items: string[]
}

/** Syncs two documents from the given states until neither has more to send. */
const syncAll = (docs: [A.Doc<Items>, A.Doc<Items>], states: [A.SyncState, A.SyncState]) => {
  let [x, y] = docs.map((doc) => A.clone(doc)) as [A.Doc<Items>, A.Doc<Items>]
  let [stateX, stateY] = states
  for (let round = 0; round < 20; round += 1) {
    const [nextX, toY] = A.generateSyncMessage(x, stateX)
    const [nextY, toX] = A.generateSyncMessage(y, stateY)
    ;[stateX, stateY] = [nextX, nextY]
    if (toY === null && toX === null) return { x, y, stateX, stateY }
    if (toY !== null) [y, stateY] = A.receiveSyncMessage(y, stateY, toY)
    if (toX !== null) [x, stateX] = A.receiveSyncMessage(x, stateX, toX)
  }
  throw new Error('the sync does not end')
}

// What the header says of a stale read, checked against Automerge: our document read older than what we last
// shared with a peer (its chunks read a moment early, or its save lost while its sync state was kept: the two are
// saved in separate transactions), with our stored state of that peer as it was, absent, or older, still syncs to
// the peer's heads. A stored state keeps only the shared heads (the repo round-trips it through its encoding).
describe('a stored sync state that does not match the document read with it (Automerge)', () => {
  const stored = (state: A.SyncState) => A.decodeSyncState(A.encodeSyncState(state))
  const base = A.from<Items>({ items: ['base'] })
  let peer = A.clone(base)
  for (const item of ['a', 'b', 'c']) peer = A.change(peer, (doc) => void doc.items.push(item))
  const once = syncAll([peer, A.clone(base)], [A.initSyncState(), A.initSyncState()])
  const later = A.change(A.clone(once.x), (doc) => void doc.items.push('d'))
  const olderState = syncAll([base, A.clone(base)], [A.initSyncState(), A.initSyncState()]).stateY

  it.each([
    ['as it was (ahead of the document)', () => stored(once.stateY)],
    ['absent', () => A.initSyncState()],
    ['older', () => stored(olderState)],
  ])('our state of the peer %s: the older document syncs to the peer’s heads', (_, ours) => {
    for (const peerDoc of [once.x, later]) {
      const { x, y } = syncAll([peerDoc, base], [stored(once.stateX), ours()])
      expect(y.items).toEqual(peerDoc.items)
      expect(A.getHeads(y).sort()).toEqual(A.getHeads(x).sort())
    }
  })
})
