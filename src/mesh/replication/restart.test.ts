import '@automerge/automerge'
import { Repo, cbor } from '@automerge/automerge-repo'
import type { DocHandle, Message, PeerId, StorageId } from '@automerge/automerge-repo'
import { describe, expect, it, vi } from 'vitest'
import { encodeControl } from './frames'
import { MeshNetworkAdapter } from './mesh-network-adapter'
import { pairedLinks, remoteOf } from './testing/paired-links'

const A = 'repo-a' as PeerId
const B = 'repo-b' as PeerId

/** Two Repos over one link, each with a storage id the other keys its view of their heads by. */
const twoRepos = (options: { resyncEveryMs?: number; after?: (ms: number, fire: () => void) => () => void } = {}) => {
  const a = new MeshNetworkAdapter({ allowed: () => true, ...options })
  const b = new MeshNetworkAdapter({ allowed: () => true, ...options })
  const [toB, toA] = pairedLinks(remoteOf(A, 'alice-store'), remoteOf(B, 'bob-store'))
  a.attach(toB)
  b.attach(toA)
  const alice = new Repo({ network: [a], peerId: A })
  const bob = new Repo({ network: [b], peerId: B })
  return { a, b, toB, toA, alice, bob }
}

const sameHeads = (x: readonly string[] | undefined, y: readonly string[]): boolean =>
  x?.length === y.length && x.every((head) => y.includes(head))

/** The heads `handle`'s Repo last heard from the peer with that storage id. */
const theirHeads = (handle: DocHandle<unknown>, storageId: StorageId | undefined) =>
  storageId === undefined ? undefined : handle.getSyncInfo(storageId)?.lastHeads

const isSync = (bytes: Uint8Array, documentId: string): boolean => {
  if (bytes[0] !== 2) return false
  const message = cbor.decode<Message>(bytes.subarray(1))
  return message.type === 'sync' && message.documentId === documentId
}

describe('restarting a peer whose sync lost a message', () => {
  it('a lost heads reply leaves us behind; a restart makes the peer send its heads again', async () => {
    const { a, alice, bob, toA } = twoRepos()
    const shared = alice.create({ n: 1 })
    await vi.waitFor(() => {
      expect(bob.peers).toContain(A)
    })
    const bobs = await bob.find<{ n: number }>(shared.url)
    const bobStorage = () => alice.getStorageIdOfPeer(B)
    await vi.waitFor(() => {
      expect(sameHeads(theirHeads(shared, bobStorage()), shared.heads())).toBe(true)
    })
    // Bob's next sync message about the document is lost on the way, as on a link that closed with it in flight.
    let lost = 0
    toA.sendWith((bytes, deliver) => {
      if (lost === 0 && isSync(bytes, shared.documentId)) {
        lost++
        return Promise.resolve()
      }
      return Promise.resolve().then(deliver)
    })
    shared.change((doc) => {
      doc.n = 2
    })
    await vi.waitFor(() => {
      expect(bobs.doc().n).toBe(2)
      expect(lost).toBe(1)
    })
    expect(sameHeads(theirHeads(shared, bobStorage()), shared.heads())).toBe(false)

    expect(a.restart(B)).toBe(true)
    await vi.waitFor(() => {
      expect(sameHeads(theirHeads(shared, bobStorage()), shared.heads())).toBe(true)
    })
    expect(a.stats.get().resyncs).toEqual({ asked: 1, followed: 0 })
  })

  it('follows a peer’s resync once per period: another one sooner is dropped and counted', async () => {
    const timers = new Map<number, () => void>()
    let next = 0
    const after = (_ms: number, fire: () => void) => {
      const id = next++
      timers.set(id, fire)
      return () => timers.delete(id)
    }
    const { b, toA, bob } = twoRepos({ after })
    const disconnects: PeerId[] = []
    b.on('peer-disconnected', ({ peerId }) => disconnects.push(peerId))
    await vi.waitFor(() => {
      expect(bob.peers).toContain(A)
    })
    // Frames injected at Bob's end of the link come as from Alice.
    toA.inject(encodeControl({ kind: 'resync' }))
    toA.inject(encodeControl({ kind: 'resync' }))
    await vi.waitFor(() => {
      expect(b.stats.get().dropped['resync-too-soon']).toBe(1)
    })
    expect(disconnects).toEqual([A])
    expect(b.stats.get().resyncs).toEqual({ asked: 0, followed: 1 })
    // Once the period is over, her next resync is followed again.
    for (const fire of [...timers.values()]) fire()
    toA.inject(encodeControl({ kind: 'resync' }))
    await vi.waitFor(() => {
      expect(b.stats.get().resyncs).toEqual({ asked: 0, followed: 2 })
    })
    expect(bob.peers).toContain(A)
  })

  it('says no restart for a peer it has no usable link to', () => {
    const { a } = twoRepos()
    expect(a.restart('repo-c')).toBe(false)
    expect(a.stats.get().resyncs).toBeUndefined()
  })
})
