import '@automerge/automerge'
import { Repo, cbor, generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo'
import type { Message, PeerId } from '@automerge/automerge-repo'
import { decodeSyncMessage } from '@automerge/automerge/slim'
import { describe, expect, it, vi } from 'vitest'
import { encodeControl, encodeMessage } from './frames'
import { MeshNetworkAdapter } from './mesh-network-adapter'
import { MAX_PEERS, REPEATS, RepeatedSync } from './repeated-sync'
import { pairedLinks, remoteOf, type TestLink } from './testing/paired-links'

const A = 'repo-a' as PeerId
const B = 'repo-b' as PeerId

/** A sync message about `documentId` that carries changes (what Automerge will never send again once counted). */
const carriesChanges = (bytes: Uint8Array, documentId: string): boolean => {
  if (bytes[0] !== 2) return false
  const message = cbor.decode<Message>(bytes.subarray(1))
  if (message.type !== 'sync' || message.documentId !== documentId || message.data === undefined) return false
  return decodeSyncMessage(message.data).changes.length > 0
}

describe('a sync that answers itself for good', () => {
  it('counts identical messages in a row per peer and document, and forgets a peer', () => {
    const seen = new RepeatedSync()
    const one = new Uint8Array([1, 2, 3])
    const other = new Uint8Array([1, 2, 4])
    for (let i = 1; i < REPEATS; i++) expect(seen.seen('p', 'd', one)).toBe(false)
    // Another document or another peer between them does not break the run; another message does.
    expect(seen.seen('p', 'e', one)).toBe(false)
    expect(seen.seen('q', 'd', one)).toBe(false)
    expect(seen.seen('p', 'd', one)).toBe(true)
    expect(seen.seen('p', 'd', other)).toBe(false)
    for (let i = 1; i < REPEATS; i++) seen.seen('p', 'd', other)
    seen.forget('p')
    expect(seen.seen('p', 'd', other)).toBe(false)
  })

  it('remembers the peers heard from most lately, at most MAX_PEERS (review 16, K2)', () => {
    const seen = new RepeatedSync()
    const one = new Uint8Array([1, 2, 3])
    for (let i = 2; i < REPEATS; i++) seen.seen('talking', 'd', one)
    for (let i = 1; i < REPEATS; i++) seen.seen('quiet', 'd', one)
    seen.seen('talking', 'd', one)
    // Each a Repo id that came once (a page that reloaded, or one picking a fresh id at each connection).
    for (let n = 1; n < MAX_PEERS; n++) seen.seen(`passing-${String(n)}`, 'd', one)
    expect(seen.seen('talking', 'd', one)).toBe(true)
    expect(seen.seen('quiet', 'd', one)).toBe(false)
  })

  it('forgets a peer whose links are gone: its repeats do not count when it comes back (review 16, K2)', async () => {
    const adapter = new MeshNetworkAdapter({ allowed: () => true })
    adapter.connect(A, { isEphemeral: false })
    const announced: PeerId[] = []
    adapter.on('peer-candidate', ({ peerId }) => announced.push(peerId))
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl())
    const data = new Uint8Array([1, 2, 3])
    const message = encodeMessage({ type: 'sync', senderId: B, targetId: A, documentId, data })
    const arrive = async (): Promise<{ link: TestLink; detach: () => void }> => {
      const [link] = pairedLinks(remoteOf(A), remoteOf(B))
      const detach = adapter.attach(link)
      const before = announced.length
      link.inject(encodeControl({ kind: 'hello', peerId: B }))
      await vi.waitFor(() => {
        expect(announced).toHaveLength(before + 1)
      })
      return { link, detach }
    }
    const first = await arrive()
    for (let i = 1; i < REPEATS; i++) first.link.inject(message)
    first.detach()
    const again = await arrive()
    again.link.inject(message)
    // The loop breaker restarts a sync on a microtask: a turn of the event loop is past it.
    await new Promise((resolve) => {
      setTimeout(resolve, 0)
    })
    expect(adapter.stats.get().loops ?? 0).toBe(0)
    for (let i = 1; i < REPEATS; i++) again.link.inject(message)
    await vi.waitFor(() => {
      expect(adapter.stats.get().loops).toBe(1)
    })
  })

  it('a lost change leaves two Repos asking and answering without end; the adapter starts their sync over', async () => {
    const a = new MeshNetworkAdapter({ allowed: () => true })
    const b = new MeshNetworkAdapter({ allowed: () => true })
    const [toB, toA] = pairedLinks(remoteOf(A, 'alice-store'), remoteOf(B, 'bob-store'))
    a.attach(toB)
    b.attach(toA)
    const alice = new Repo({ network: [a], peerId: A })
    const bob = new Repo({ network: [b], peerId: B })
    const shared = alice.create({ n: 1 })
    await vi.waitFor(() => {
      expect(bob.peers).toContain(A)
    })
    const bobs = await bob.find<{ n: number }>(shared.url)
    await vi.waitFor(() => {
      expect(bobs.doc().n).toBe(1)
    })
    // Alice's next change is lost on the way (a link that closed with it in flight), and her sync state counts it
    // as sent. Her next one cannot apply without it: Bob asks for it, Alice answers without it, and so on. The loop
    // runs on microtasks here, so it is cut after 2,000 frames to keep a failing run from hanging.
    let lost = 0
    let frames = 0
    toB.sendWith((bytes, deliver) => {
      frames++
      if (lost === 0 && carriesChanges(bytes, shared.documentId)) {
        lost++
        return Promise.resolve()
      }
      return frames > 2_000 ? Promise.resolve() : Promise.resolve().then(deliver)
    })
    shared.change((doc) => {
      doc.n = 2
    })
    await vi.waitFor(() => {
      expect(lost).toBe(1)
    })
    shared.change((doc) => {
      doc.n = 3
    })
    await vi.waitFor(() => {
      expect(bobs.doc().n).toBe(3)
    })
    expect(frames).toBeLessThan(200)
    expect((a.stats.get().loops ?? 0) + (b.stats.get().loops ?? 0)).toBeGreaterThan(0)
  })
})
