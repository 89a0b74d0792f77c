import '@automerge/automerge'
import { Repo, cbor, generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo'
import type { DocumentId, Message, PeerId, PeerMetadata } from '@automerge/automerge-repo'
import { describe, expect, it, vi } from 'vitest'
import { encodeControl, encodeMessage } from './frames'
import { MeshNetworkAdapter, type Identify, type MeshAdapterOptions } from './mesh-network-adapter'
import { pairedLinks, remoteOf } from './testing/paired-links'

const A = 'repo-a' as PeerId
const B = 'repo-b' as PeerId
const newDocumentId = (): DocumentId => parseAutomergeUrl(generateAutomergeUrl()).documentId

interface Side {
  readonly adapter: MeshNetworkAdapter
  readonly candidates: { peerId: PeerId; peerMetadata: PeerMetadata }[]
  readonly disconnects: PeerId[]
  readonly messages: Message[]
}

const side = (options: Partial<MeshAdapterOptions> = {}): Side => {
  const adapter = new MeshNetworkAdapter({ allowed: () => true, ...options })
  const result: Side = { adapter, candidates: [], disconnects: [], messages: [] }
  adapter.on('peer-candidate', (payload) => result.candidates.push(payload))
  adapter.on('peer-disconnected', ({ peerId }) => result.disconnects.push(peerId))
  adapter.on('message', (message) => result.messages.push(message))
  return result
}

/** Joins a and b by one more room; returns the link ends (a's, b's) and their removals. */
const room = (a: Side, b: Side, storage: string | null = 'store') => {
  const [toB, toA] = pairedLinks(remoteOf(A, storage), remoteOf(B, storage))
  return { toB, toA, detachA: a.adapter.attach(toB), detachB: b.adapter.attach(toA) }
}

const connected = async (options: Partial<MeshAdapterOptions> = {}, storage: string | null = 'store') => {
  const a = side(options)
  const b = side(options)
  const link = room(a, b, storage)
  a.adapter.connect(A)
  b.adapter.connect(B)
  await vi.waitFor(() => {
    expect(a.candidates).toHaveLength(1)
    expect(b.candidates).toHaveLength(1)
  })
  return { a, b, ...link }
}

const syncFrame = (fields: Record<string, unknown>): Uint8Array =>
  encodeMessage({
    type: 'sync',
    senderId: A,
    targetId: B,
    documentId: newDocumentId(),
    data: new Uint8Array([1]),
    ...fields,
  })

describe('MeshNetworkAdapter', () => {
  it('announces the authenticated repo, with a storage id namespaced by device', async () => {
    const { a, b } = await connected()
    expect(b.candidates[0]?.peerId).toBe(A)
    expect(b.candidates[0]?.peerMetadata.isEphemeral).toBe(false)
    expect(b.candidates[0]?.peerMetadata.storageId).toMatch(/^[0-9a-f]{32}$/)
    expect(a.candidates[0]?.peerMetadata.storageId).not.toBe(b.candidates[0]?.peerMetadata.storageId)
    const { b: noStorage } = await connected({}, null)
    expect(noStorage.candidates[0]?.peerMetadata).toEqual({ isEphemeral: false })
  })

  it('is ready once the Repo connects, not before', async () => {
    const { adapter } = side()
    let ready = false
    const whenReady = adapter.whenReady().then(() => {
      ready = true
    })
    await Promise.resolve()
    expect(ready).toBe(false)
    expect(adapter.isReady()).toBe(false)
    adapter.connect(A)
    await whenReady
    expect(adapter.isReady()).toBe(true)
  })

  it('refuses a hello naming another repo than the handshake did', async () => {
    const a = side()
    const b = side()
    room(a, b)
    b.adapter.connect(B)
    a.adapter.connect('someone-else' as PeerId)
    await vi.waitFor(() => {
      // Its hello, and its welcome to b's hello: both name a repo the link was not authenticated for.
      expect(b.adapter.stats.get().dropped.unidentified).toBe(2)
    })
    expect(b.candidates).toEqual([])
  })

  it('answers repeated hellos on a live link without restarting the sync with that peer', async () => {
    const { b, toA } = await connected()
    const sentBefore = toA.sent.length
    for (let i = 0; i < 100; i += 1) toA.inject(encodeControl({ kind: 'hello', peerId: A }))
    await vi.waitFor(() => {
      // Each still gets a welcome, so a remote whose send failed can come back.
      expect(toA.sent.length).toBe(sentBefore + 100)
    })
    expect(b.disconnects).toEqual([])
    expect(b.candidates).toHaveLength(1)
    toA.inject(syncFrame({}))
    expect(b.messages).toHaveLength(1)
  })

  it('hands each inbound message to the screen with its sender, in order, and drops what it refuses', async () => {
    const seen: { device: string; data: number }[] = []
    let first: (() => void) | undefined
    const { b, toA } = await connected({
      screen: async (sender, message) => {
        const data = message.type === 'sync' ? (message.data?.[0] ?? 0) : 0
        seen.push({ device: sender.device, data })
        // The first check is slow: the second message must still come after it.
        if (data === 1) await new Promise<void>((resolve) => (first = resolve))
        if (data === 3) return undefined
        return message.type === 'sync' ? { ...message, data: new Uint8Array([data * 10]) } : message
      },
    })
    for (const data of [1, 2, 3]) toA.inject(syncFrame({ data: new Uint8Array([data]) }))
    await vi.waitFor(() => {
      expect(seen).toHaveLength(1)
    })
    expect(b.messages).toEqual([])
    first?.()
    await vi.waitFor(() => {
      expect(b.adapter.stats.get().dropped.screened).toBe(1)
    })
    expect(seen).toEqual([1, 2, 3].map((data) => ({ device: `device-${A}`, data })))
    expect(
      b.messages.map((message): number[] =>
        message.type === 'sync' ? Array.from(message.data ?? new Uint8Array()) : [],
      ),
    ).toEqual([[10], [20]])
    expect(b.messages.every((message) => message.senderId === A && message.targetId === B)).toBe(true)
  })

  it('honours a hello after a bye: the peer is announced again', async () => {
    const { b, toA } = await connected()
    toA.inject(encodeControl({ kind: 'bye' }))
    expect(b.disconnects).toEqual([A])
    toA.inject(encodeControl({ kind: 'hello', peerId: A }))
    await vi.waitFor(() => {
      expect(b.candidates).toHaveLength(2)
    })
    expect(b.disconnects).toEqual([A])
  })

  it('holds frames behind a hello being identified within a byte budget, and counts the rest', async () => {
    let hold: ((identity: undefined) => void) | undefined
    const identify: Identify = (_remote, claims) =>
      claims.peerId === A || claims.peerId === B
        ? Promise.resolve({ peerId: claims.peerId as PeerId, peerMetadata: { isEphemeral: false } })
        : new Promise((resolve) => {
            hold = resolve
          })
    const { b, toA } = await connected({ identify, maxQueuedBytes: 1_000 })
    expect(b.candidates).toHaveLength(1)
    toA.inject(encodeControl({ kind: 'hello', peerId: 'repo-other' }))
    const frame = syncFrame({ data: new Uint8Array(300) })
    expect(frame.length).toBeGreaterThan(300)
    expect(frame.length).toBeLessThan(500)
    toA.inject(frame)
    toA.inject(frame)
    toA.inject(frame)
    expect(b.adapter.stats.get().dropped).toEqual({ overflow: 1 })
    hold?.(undefined)
    await vi.waitFor(() => {
      expect(b.adapter.stats.get().dropped).toEqual({ overflow: 1, unidentified: 1 })
    })
    // The two that fit go through once the hello is settled, in order.
    expect(b.messages).toHaveLength(2)
  })

  it('attributes a message to the link it came through, whatever sender it claims', async () => {
    const { b, toA } = await connected()
    toA.inject(syncFrame({ senderId: 'mallory' }))
    expect(b.messages).toHaveLength(1)
    expect(b.messages[0]?.senderId).toBe(A)
  })

  it('drops an oversize frame before decoding it', async () => {
    const { b, toA } = await connected({ maxFrameBytes: 1_024 })
    toA.inject(syncFrame({ data: new Uint8Array(2_000) }))
    // Garbage of that size is refused for its size too, never as malformed: the size is checked first.
    toA.inject(new Uint8Array(2_000).fill(0xff))
    expect(b.messages).toEqual([])
    expect(b.adapter.stats.get().dropped).toEqual({ oversize: 2 })
    toA.inject(syncFrame({ data: new Uint8Array(100) }))
    expect(b.messages).toHaveLength(1)
  })

  it('drops malformed and unexpected frames without throwing, and keeps working', async () => {
    const { b, toA } = await connected()
    const bad = [
      new Uint8Array([2, 0xff, 0xfe, 0x1c]),
      new Uint8Array([9, 0xa0]),
      new Uint8Array([2]),
      Uint8Array.of(2, ...cbor.encode([1, 2])),
      syncFrame({ type: 'remote-heads-changed' }),
      syncFrame({ type: 'foo' }),
      syncFrame({ targetId: 'repo-c' }),
      syncFrame({ documentId: 'not-a-document' }),
      syncFrame({ documentId: 'x'.repeat(10_000) }),
      syncFrame({ data: 'text' }),
    ]
    for (const bytes of bad) expect(() => toA.inject(bytes)).not.toThrow()
    expect(b.messages).toEqual([])
    expect(b.adapter.stats.get().dropped).toEqual({
      malformed: 4,
      'unsupported-type': 2,
      'wrong-target': 1,
      'bad-shape': 3,
    })
    toA.inject(syncFrame({}))
    expect(b.messages).toHaveLength(1)
  })

  it('drops an ephemeral message relayed from another peer, in and out', async () => {
    const { a, b, toA } = await connected()
    const ephemeral = { type: 'ephemeral', count: 1, sessionId: 's1' }
    toA.inject(syncFrame({ ...ephemeral, senderId: 'repo-c' }))
    expect(b.adapter.stats.get().dropped).toEqual({ relayed: 1 })
    toA.inject(syncFrame({ ...ephemeral, senderId: A }))
    expect(b.messages.map((message) => message.type)).toEqual(['ephemeral'])
    a.adapter.send({
      ...ephemeral,
      senderId: 'repo-c' as PeerId,
      targetId: B,
      documentId: newDocumentId(),
      data: new Uint8Array(1),
    })
    expect(a.adapter.stats.get().withheld).toEqual({ relayed: 1 })
  })

  it('counts links per remote repo across rooms', async () => {
    const { a, b, detachA, detachB } = await connected()
    const second = room(a, b)
    await vi.waitFor(() => {
      // Each end sent its hello and its welcome, and marks the link up as it sends the welcome.
      expect(second.toA.sent.length).toBe(2)
      expect(second.toB.sent.length).toBe(2)
    })
    detachA()
    detachB()
    expect(a.disconnects).toEqual([])
    a.adapter.send({ type: 'doc-unavailable', senderId: A, targetId: B, documentId: newDocumentId() })
    await vi.waitFor(() => {
      expect(b.messages).toHaveLength(1)
    })
    second.detachA()
    second.detachB()
    expect(a.disconnects).toEqual([B])
    expect(b.disconnects).toEqual([A])
    expect(b.candidates).toHaveLength(1)
  })

  it('re-announces a peer whose send stalled, once the link drains', async () => {
    const timers = new Set<{ at: number; fire: () => void }>()
    let now = 0
    const after = (ms: number, fire: () => void) => {
      const timer = { at: now + ms, fire }
      timers.add(timer)
      return () => timers.delete(timer)
    }
    const advance = (ms: number) => {
      now += ms
      for (const timer of [...timers]) {
        if (timer.at > now) continue
        timers.delete(timer)
        timer.fire()
      }
    }
    const { a, toB } = await connected({ after })
    let release = (): void => undefined
    toB.sendWith(
      (_bytes, deliver) =>
        new Promise<void>((resolve) => {
          release = () => {
            deliver()
            resolve()
          }
        }),
    )
    a.adapter.send({ type: 'doc-unavailable', senderId: A, targetId: B, documentId: newDocumentId() })
    advance(8_999)
    expect(a.disconnects).toEqual([])
    advance(1)
    expect(a.disconnects).toEqual([B])
    expect(a.adapter.stats.get().stalls).toBe(1)
    // Until it is announced again, the Repo hears nothing from that peer.
    toB.inject(syncFrame({ targetId: A }))
    expect(a.messages).toEqual([])
    expect(a.adapter.stats.get().dropped).toEqual({ 'not-connected': 1 })
    expect(a.candidates).toHaveLength(1)
    release()
    await vi.waitFor(() => {
      expect(a.candidates).toHaveLength(2)
    })
    // No stall timer is left: only each side's window of its first greeting (`HELLO_BURST`), due at 10 s.
    expect([...timers].map((timer) => timer.at)).toEqual([10_000, 10_000])
  })

  it('never sends a document the peer may not see, between real Repos', async () => {
    const secret = new Set<string>()
    const a = side({ allowed: (_peer, documentId) => !secret.has(documentId) })
    const b = side()
    const { toB } = room(a, b)
    const alice = new Repo({ network: [a.adapter], peerId: A })
    const bob = new Repo({ network: [b.adapter], peerId: B })
    const open = alice.create({ n: 1 })
    const hidden = alice.create({ n: 1 })
    secret.add(hidden.documentId)
    await vi.waitFor(() => {
      expect(b.candidates).toHaveLength(1)
    })
    const bobsOpen = await bob.find<{ n: number }>(open.url)
    const bobsHidden = await bob.find(hidden.url, { allowableStates: ['ready', 'unavailable', 'requesting'] })
    hidden.change((doc) => {
      doc.n = 2
    })
    open.change((doc) => {
      doc.n = 2
    })
    await vi.waitFor(() => {
      expect(bobsOpen.doc().n).toBe(2)
      expect(a.adapter.stats.get().withheld.denied).toBeGreaterThan(0)
    })
    expect(bobsHidden.isReady()).toBe(false)
    const documents = toB.sent
      .filter((bytes) => bytes[0] === 2)
      .map((bytes) => cbor.decode<Message>(bytes.subarray(1)))
      .filter((message) => message.type !== 'doc-unavailable')
      .map((message) => message.documentId)
    expect(documents).toContain(open.documentId)
    expect(documents).not.toContain(hidden.documentId)
  })

  it('speaks with its wire id while its Repo keeps an id fixed before the device key was known', async () => {
    const a = side({ wireId: A })
    const b = side()
    const { toB } = room(a, b)
    const alice = new Repo({ network: [a.adapter], peerId: 'peer-tab' as PeerId })
    const bob = new Repo({ network: [b.adapter], peerId: B })
    const doc = alice.create({ n: 1 })
    await vi.waitFor(() => {
      expect(b.candidates.map((candidate) => candidate.peerId)).toEqual([A])
    })
    const bobs = await bob.find<{ n: number }>(doc.url)
    bobs.change((d) => {
      d.n = 2
    })
    await vi.waitFor(() => {
      expect(doc.doc().n).toBe(2)
    })
    const senders = toB.sent
      .filter((bytes) => bytes[0] === 2)
      .map((bytes) => cbor.decode<Message>(bytes.subarray(1)).senderId)
    expect(new Set(senders)).toEqual(new Set([A]))
    expect(a.messages.every((message) => message.targetId === 'peer-tab')).toBe(true)
  })
})
