import * as A from '@automerge/automerge'
import { Repo, cbor } from '@automerge/automerge-repo'
import type { DocumentId, Message, PeerId } from '@automerge/automerge-repo'
import { describe, expect, it, vi } from 'vitest'
import { encodeControl, encodeMessage } from './frames'
import { MeshNetworkAdapter } from './mesh-network-adapter'
import { pairedLinks, remoteOf } from './testing/paired-links'
import { readSyncAsk, withoutHave } from './sync-ask'

const ALICE = 'repo-a' as PeerId
const BOB = 'repo-b' as PeerId
const WAIT = { timeout: 30_000 }

const randomHex = (length: number): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(length / 2))
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Alice holds a ~200 KB document, Bob's Repo syncs it; the test's clock and resync timers move only when told. */
const aliceAndBob = async () => {
  let now = 1_800_000_000_000
  const options = { allowed: () => true, now: () => now, after: () => () => undefined }
  const a = new MeshNetworkAdapter(options)
  const b = new MeshNetworkAdapter(options)
  const [toBob, toAlice] = pairedLinks(remoteOf(ALICE, 'alice-store'), remoteOf(BOB, 'bob-store'))
  // What Alice sends Bob about each document: the size of each sync message.
  const sent = new Map<string, number[]>()
  toBob.sendWith((bytes, deliver) => {
    if (bytes[0] === 2) {
      const message = cbor.decode<Message>(bytes.subarray(1))
      if (message.type === 'sync' && message.documentId !== undefined && message.data !== undefined) {
        sent.set(message.documentId, [...(sent.get(message.documentId) ?? []), message.data.length])
      }
    }
    return Promise.resolve().then(deliver)
  })
  a.attach(toBob)
  b.attach(toAlice)
  const alice = new Repo({ network: [a], peerId: ALICE })
  const bob = new Repo({ network: [b], peerId: BOB })
  const handle = alice.create<{ parts: string[] }>({ parts: [] })
  for (let i = 0; i < 40; i++) {
    handle.change((doc) => {
      doc.parts.push(randomHex(5_000))
    })
  }
  const size = A.save(handle.doc()).length
  await vi.waitFor(() => {
    expect(bob.peers).toContain(ALICE)
  }, WAIT)
  const bobs = await bob.find<{ parts: string[] }>(handle.url)
  await vi.waitFor(() => {
    expect(bobs.doc().parts.join('')).toBe(handle.doc().parts.join(''))
  }, WAIT)
  return {
    a,
    toBob,
    handle,
    size,
    sentFor: (documentId: DocumentId) => sent.get(documentId) ?? [],
    advance: (ms: number) => {
      now += ms
    },
  }
}

/** A sync message as from Bob's end of the link. */
const fromBob = (documentId: DocumentId, data: Uint8Array) =>
  encodeMessage({ type: 'sync', senderId: BOB, targetId: ALICE, documentId, data })

describe('a resend budget per device and document (review 14, H3)', () => {
  it(
    'an honest first sync gets the whole document; 100 asks from the start then cost one full resend, not 100',
    WAIT,
    async () => {
      const { a, toBob, handle, size, sentFor, advance } = await aliceAndBob()
      const documentId = handle.documentId
      // Bob's first sync had the whole document (his device's start-over of this minute); a minute later he may ask again.
      expect(sentFor(documentId).reduce((sum, bytes) => sum + bytes, 0)).toBeGreaterThan(size / 2)
      advance(60_000)
      const before = sentFor(documentId).length
      // "I lost my data": no heads, an empty filter (a fresh document's first message).
      const [, lost] = A.generateSyncMessage(A.init(), A.initSyncState())
      // Real heads, but a `have` from the start with an empty filter: "send me every change".
      const fromStart = A.encodeSyncMessage({
        heads: A.getHeads(handle.doc()),
        need: [],
        have: [{ lastSync: [], bloom: new Uint8Array() }],
        changes: [],
      })
      if (lost === null) throw new Error('no sync message')
      const rounds = 100
      const replies = () => sentFor(documentId).slice(before)
      const full = () => replies().filter((bytes) => bytes > size / 2).length
      const dropped = () => a.stats.get().dropped
      const refused = () => (dropped()['resend-too-soon'] ?? 0) + (dropped()['have-too-soon'] ?? 0)
      const ask = (round: number) => {
        const kind = round % 4
        if (kind === 2) {
          toBob.inject(encodeMessage({ type: 'doc-unavailable', senderId: BOB, targetId: ALICE, documentId }))
        }
        if (kind === 3) toBob.inject(encodeControl({ kind: 'resync' }))
        toBob.inject(fromBob(documentId, kind % 2 === 0 ? lost : fromStart))
      }
      // Half one at a time, each after the last was answered or refused; half all at once. Each ask is either
      // answered in full or refused by the budget (the code before answered every one in full).
      for (let round = 0; round < rounds / 2; round++) {
        ask(round)
        await vi.waitFor(() => {
          expect(full() + refused()).toBeGreaterThanOrEqual(round + 1)
        }, WAIT)
      }
      for (let round = rounds / 2; round < rounds; round++) ask(round)
      await vi.waitFor(() => {
        expect(full() + refused()).toBeGreaterThanOrEqual(rounds)
      }, WAIT)
      const bytes = replies().reduce((sum, each) => sum + each, 0)
      console.log(
        `document ${String(size)} B; ${String(rounds)} asks: ${String(full())} full resends, ${String(bytes)} B`,
      )
      expect(full()).toBeLessThanOrEqual(2)
      expect(bytes).toBeLessThanOrEqual(2 * size)
      expect(a.stats.get().dropped['resend-too-soon']).toBe(rounds / 2 - 1)
      expect(a.stats.get().dropped['have-too-soon']).toBe(rounds / 2)

      // A minute on, a device that really lost its data gets the whole document again.
      advance(60_000)
      toBob.inject(fromBob(documentId, lost))
      await vi.waitFor(() => {
        expect(full()).toBe(2)
      }, WAIT)
    },
  )
})

describe('reading a sync message without Automerge', () => {
  it('finds no heads, a have from the start, and takes the have out so that Automerge still reads the rest', () => {
    const doc = A.from({ title: 'Plan' })
    const [ours, first] = A.generateSyncMessage(doc, A.initSyncState())
    if (first === null) throw new Error('no sync message')
    const ask = readSyncAsk(first)
    expect(ask).toMatchObject({ noHeads: false, fromStart: true })
    if (ask === undefined) return
    const trimmed = A.decodeSyncMessage(withoutHave(first, ask))
    expect(trimmed.have).toEqual([])
    expect(trimmed.heads).toEqual(A.getHeads(doc))
    // A device with nothing answers with no heads; once it has the document, it compares from the shared heads.
    const [blank, received] = A.receiveSyncMessage(A.init<{ title: string }>(), A.initSyncState(), first)
    const [theirs, empty] = A.generateSyncMessage(blank, received)
    if (empty === null) throw new Error('no answer')
    expect(readSyncAsk(empty)).toMatchObject({ noHeads: true, fromStart: true })
    const [, afterEmpty] = A.receiveSyncMessage(doc, ours, empty)
    const [, changes] = A.generateSyncMessage(doc, afterEmpty)
    if (changes === null) throw new Error('no changes')
    const [filled, synced] = A.receiveSyncMessage(blank, theirs, changes)
    const [, ordinary] = A.generateSyncMessage(filled, synced)
    if (ordinary === null) throw new Error('no acknowledgement')
    expect(readSyncAsk(ordinary)).toMatchObject({ noHeads: false, fromStart: false })
  })

  it('reads truncated, oversized and foreign bytes as no sync message, and never throws', () => {
    const [, first] = A.generateSyncMessage(A.from({ n: 1 }), A.initSyncState())
    if (first === null) throw new Error('no sync message')
    for (let cut = 0; cut < first.length; cut++) {
      const read = readSyncAsk(first.subarray(0, cut))
      if (read !== undefined) expect(read.have.end).toBeLessThanOrEqual(cut)
    }
    expect(readSyncAsk(new Uint8Array([0x42, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toBeUndefined()
    expect(readSyncAsk(new Uint8Array([0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBeUndefined()
    expect(readSyncAsk(new Uint8Array([0x85, 0x6f, 0x4a, 0x83]))).toBeUndefined()
    expect(readSyncAsk(new Uint8Array())).toBeUndefined()
  })
})
