import '@automerge/automerge'
import { Repo } from '@automerge/automerge-repo'
import type { PeerId } from '@automerge/automerge-repo'
import { describe, expect, it, vi } from 'vitest'
import { encodeControl } from './frames'
import { MeshNetworkAdapter } from './mesh-network-adapter'
import { pairedLinks, remoteOf } from './testing/paired-links'

const A = 'repo-a' as PeerId
const B = 'repo-b' as PeerId
const DOCUMENTS = 5

/** Bob's real Repo with documents it shares with anyone; frames injected at his end of the link come as from A. */
const bobWithDocuments = async () => {
  const timers = new Set<() => void>()
  const after = (_ms: number, fire: () => void) => {
    timers.add(fire)
    return () => timers.delete(fire)
  }
  const fireAll = () => {
    for (const fire of [...timers]) {
      timers.delete(fire)
      fire()
    }
  }
  const b = new MeshNetworkAdapter({ allowed: () => true, after })
  const [, toA] = pairedLinks(remoteOf(A, 'alice-store'), remoteOf(B, 'bob-store'))
  b.attach(toA)
  const counts = { candidates: 0 }
  b.on('peer-candidate', () => counts.candidates++)
  const bob = new Repo({ network: [b], peerId: B })
  for (let i = 0; i < DOCUMENTS; i++) bob.create({ n: i })
  await b.whenReady()
  /** Sync messages Bob's Repo sent A: one per shared document each time A is announced to it. */
  const messages = () => toA.sent.filter((bytes) => bytes[0] === 2).length
  return { b, toA, bob, counts, messages, fireAll }
}

describe('a peer that says bye and hello again and again', () => {
  it('restarts our sync twice per window, and its last hello is honoured once the window ends', async () => {
    const { b, toA, bob, counts, messages, fireAll } = await bobWithDocuments()
    toA.inject(encodeControl({ kind: 'hello', peerId: A }))
    await vi.waitFor(() => {
      expect(counts.candidates).toBe(1)
      expect(messages()).toBe(DOCUMENTS)
    })
    // 100 pairs, each after the last took effect: before the limit, 101 announcements and 505 messages.
    for (let i = 0; i < 100; i++) {
      toA.inject(encodeControl({ kind: 'bye' }))
      toA.inject(encodeControl({ kind: 'hello', peerId: A }))
      await vi.waitFor(
        () => {
          if (i === 0) expect(counts.candidates).toBe(2)
          else expect(b.stats.get().deferredHellos).toBe(i)
        },
        { interval: 1 },
      )
    }
    await vi.waitFor(() => {
      expect(messages()).toBe(2 * DOCUMENTS)
    })
    expect(bob.peers).not.toContain(A)
    // The window ends: the last hello is honoured, welcomed, and A is announced again.
    const welcomes = toA.sent.length - messages()
    fireAll()
    await vi.waitFor(() => {
      expect(counts.candidates).toBe(3)
      expect(messages()).toBe(3 * DOCUMENTS)
    })
    expect(toA.sent.length - messages()).toBe(welcomes + 1)
    expect(bob.peers).toContain(A)
  })

  it('forgets a waiting hello at the next bye', async () => {
    const { b, toA, counts, fireAll } = await bobWithDocuments()
    toA.inject(encodeControl({ kind: 'hello', peerId: A }))
    for (let i = 0; i < 2; i++) {
      toA.inject(encodeControl({ kind: 'bye' }))
      toA.inject(encodeControl({ kind: 'hello', peerId: A }))
    }
    await vi.waitFor(() => {
      expect(b.stats.get().deferredHellos).toBe(1)
    })
    toA.inject(encodeControl({ kind: 'bye' }))
    fireAll()
    expect(counts.candidates).toBe(2)
  })
})
