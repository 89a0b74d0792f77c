import * as A from '@automerge/automerge'
import { Repo, cbor, generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo'
import type { DocumentId, Message, PeerId } from '@automerge/automerge-repo'
import { describe, expect, it, vi } from 'vitest'
import { encodeControl, encodeMessage } from './frames'
import { MeshNetworkAdapter } from './mesh-network-adapter'
import { MAX_WAITING_PER_DOCUMENT, ResendBudget } from './resend-budget'
import { readSyncShape } from './sync-shape'
import { pairedLinks, remoteOf } from './testing/paired-links'

const ALICE = 'repo-a' as PeerId
const BOB = 'repo-b' as PeerId
const WAIT = { timeout: 60_000 }
const EVERY_MS = 10_000

const randomHex = (length: number): string =>
  [...crypto.getRandomValues(new Uint8Array(length / 2))].map((byte) => byte.toString(16).padStart(2, '0')).join('')

/** A clock and timers that move only when the test says. */
const fakeTime = () => {
  let now = 1_800_000_000_000
  let timers: { at: number; fire: () => void }[] = []
  return {
    now: () => now,
    after: (ms: number, fire: () => void) => {
      const timer = { at: now + ms, fire }
      timers.push(timer)
      return () => {
        timers = timers.filter((each) => each !== timer)
      }
    },
    advance: (ms: number) => {
      now += ms
      const due = timers.filter((timer) => timer.at <= now)
      timers = timers.filter((timer) => timer.at > now)
      for (const timer of due) timer.fire()
    },
  }
}

/**
 * Alice's Repo holds a ~100 KB document (saved) and Bob's end of the link is the test's: it says hello, then sends
 * 100 sync messages in one second, three in four asks for the document from the start (no heads, or real heads with
 * a `have` from the start and an empty filter), every fourth a cheap one that compares from Alice's heads (so asks
 * and other messages mix). What Alice sends back is counted.
 */
const askAHundredTimes = async (resendEveryMs: number) => {
  const time = fakeTime()
  const adapter = new MeshNetworkAdapter({ allowed: () => true, now: time.now, after: time.after, resendEveryMs })
  const [link] = pairedLinks(remoteOf(ALICE), remoteOf(BOB))
  adapter.attach(link)
  const alice = new Repo({ network: [adapter], peerId: ALICE })
  const handle = alice.create<{ parts: string[] }>({ parts: [] })
  for (let i = 0; i < 40; i++) {
    handle.change((doc) => {
      doc.parts.push(randomHex(5_000))
    })
  }
  const size = A.save(handle.doc()).length
  const documentId = handle.documentId
  const answers = (): number[] =>
    link.sent
      .filter((bytes) => bytes[0] === 2)
      .map((bytes) => cbor.decode<Message>(bytes.subarray(1)))
      .filter((message) => message.type === 'sync' && message.documentId === documentId)
      .map((message) => message.data?.length ?? 0)
  const full = (): number => answers().filter((bytes) => bytes > size / 2).length
  await vi.waitFor(() => {
    expect(adapter.isReady()).toBe(true)
  }, WAIT)
  link.inject(encodeControl({ kind: 'hello', peerId: BOB }))
  await vi.waitFor(() => {
    expect(alice.peers).toContain(BOB)
  }, WAIT)
  const heads = A.getHeads(handle.doc())
  const [, lost] = A.generateSyncMessage(A.init(), A.initSyncState())
  if (lost === null) throw new Error('no sync message')
  const asks = [
    lost,
    A.encodeSyncMessage({ heads, need: [], have: [{ lastSync: [], bloom: new Uint8Array() }], changes: [] }),
    lost,
    A.encodeSyncMessage({ heads, need: [], have: [{ lastSync: heads, bloom: new Uint8Array() }], changes: [] }),
  ]
  const rounds = 100
  for (let round = 0; round < rounds; round++) {
    const data = asks[round % asks.length] ?? lost
    link.inject(encodeMessage({ type: 'sync', senderId: BOB, targetId: ALICE, documentId, data }))
    time.advance(1_000 / rounds)
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { adapter, size, answers, full, advance: time.advance }
}

const bytesOf = (answers: number[]): number => answers.reduce((sum, bytes) => sum + bytes, 0)

describe('a resend budget: asks from the start wait, never dropped (review 14, H3)', () => {
  it('100 messages in a second, 75 of them asks from the start, cost 75 full answers without it', WAIT, async () => {
    const { size, answers, full } = await askAHundredTimes(0)
    // Every ask from the start (three in four) gets the whole document again.
    await vi.waitFor(() => {
      expect(full()).toBeGreaterThanOrEqual(75)
    }, WAIT)
    console.log(
      `without the budget: document ${String(size)} B, ${String(full())} full answers, ${String(bytesOf(answers()))} B`,
    )
  })

  it('with it, they cost two full answers, and one more after the budget’s time', WAIT, async () => {
    const { adapter, size, answers, full, advance } = await askAHundredTimes(EVERY_MS)
    await vi.waitFor(() => {
      // The first ask went through; the first cheap message behind a waiting ask delivered it (as after an honest
      // ask that crossed our answer), once per budget time; the rest waited and merged into the newest ones.
      expect(full()).toBe(2)
      // The last two (an ask, then a cheap message that cannot stand in for it) still wait.
      expect(adapter.stats.get().resends?.merged).toBe(95)
    }, WAIT)
    const within = bytesOf(answers())
    // The newest ask was not dropped: it goes through once the budget's time has passed since the answer.
    advance(EVERY_MS)
    await vi.waitFor(() => {
      expect(full()).toBe(3)
    }, WAIT)
    console.log(
      `with the budget: document ${String(size)} B, ${String(within)} B within the second, ${String(bytesOf(answers()))} B after ${String(EVERY_MS)} ms`,
    )
    expect(within).toBeLessThan(2.5 * size)
    expect(bytesOf(answers())).toBeLessThan(3.5 * size)
  })
})

/** A real sync message of each kind, and a budget whose deliveries the test reads. */
const budgetWorld = () => {
  const time = fakeTime()
  const delivered: Message[] = []
  const counts = { held: 0, merged: 0 }
  const budget = new ResendBudget({
    everyMs: EVERY_MS,
    answerWaitMs: 1_000,
    chargeBytes: 1024,
    now: time.now,
    after: time.after,
    deliver: (_peer, message) => delivered.push(message),
    count: (kind) => {
      counts[kind] += 1
    },
  })
  const documentId = parseAutomergeUrl(generateAutomergeUrl()).documentId
  const doc = A.from({ title: 'Plan' })
  const heads = A.getHeads(doc)
  const [, lost] = A.generateSyncMessage(A.init(), A.initSyncState())
  const [, first] = A.generateSyncMessage(doc, A.initSyncState())
  if (lost === null || first === null) throw new Error('no sync message')
  const change = A.getLastLocalChange(A.change(doc, (d) => (d.title = 'Plan B')))
  if (change === undefined) throw new Error('no change')
  const withChange = A.encodeSyncMessage({
    heads,
    need: [],
    have: [{ lastSync: [], bloom: new Uint8Array() }],
    changes: [change],
  })
  const cheap = A.encodeSyncMessage({
    heads,
    need: [],
    have: [{ lastSync: heads, bloom: new Uint8Array() }],
    changes: [],
  })
  // The same with the flags section Automerge appends (length 2, the old v2 byte, a bitfield): it sets capabilities.
  const cheapFlagged = Uint8Array.from([...cheap, 2, 2, 0x84])
  const sync = (data: Uint8Array, id: DocumentId = documentId): Message => ({
    type: 'sync',
    senderId: BOB,
    targetId: ALICE,
    documentId: id,
    data,
  })
  return { time, budget, delivered, counts, documentId, lost, first, withChange, cheap, cheapFlagged, sync }
}

describe('the resend budget’s order and bounds', () => {
  it('reads what a sync message asks, and reads anything else as no sync message', () => {
    const { lost, first, withChange, cheap } = budgetWorld()
    expect(readSyncShape(lost)).toMatchObject({ noHeads: true, fromStart: true, changes: false, reset: true })
    expect(readSyncShape(first)).toMatchObject({ noHeads: false, fromStart: true, changes: false, flags: true })
    expect(readSyncShape(withChange)).toMatchObject({ fromStart: true, changes: true, reset: false, flags: false })
    expect(readSyncShape(cheap)).toMatchObject({ noHeads: false, fromStart: false, changes: false })
    for (let cut = 0; cut < withChange.length; cut++) readSyncShape(withChange.subarray(0, cut))
    expect(readSyncShape(withChange.subarray(0, withChange.length - 1))).toBeUndefined()
    expect(readSyncShape(new Uint8Array([0x42, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toBeUndefined()
    expect(readSyncShape(new Uint8Array([0x85, 0x6f, 0x4a, 0x83]))).toBeUndefined()
    expect(readSyncShape(new Uint8Array())).toBeUndefined()
  })

  it('lets a first ask through at once, holds the next until a small answer, the time after a large one, or 1 s with none', () => {
    const { time, budget, delivered, counts, documentId, lost, first, sync } = budgetWorld()
    budget.offer('bob', sync(first))
    expect(delivered).toHaveLength(1)
    // Unanswered: the next ask waits; a small answer lets it go (after the Repo's turn).
    budget.offer('bob', sync(lost))
    expect(delivered).toHaveLength(1)
    budget.answered('bob', documentId, 200)
    return Promise.resolve().then(() => {
      expect(delivered).toHaveLength(2)
      // A large answer: the next ask waits the budget's time from it, never dropped.
      budget.answered('bob', documentId, 50_000)
      budget.offer('bob', sync(lost))
      time.advance(EVERY_MS - 1)
      expect(delivered).toHaveLength(2)
      time.advance(1)
      expect(delivered).toHaveLength(3)
      // No answer at all (the Repo does not share the document, or has nothing to say): the next waits 1 s.
      budget.offer('bob', sync(lost))
      time.advance(999)
      expect(delivered).toHaveLength(3)
      time.advance(1)
      expect(delivered).toHaveLength(4)
      expect(counts).toEqual({ held: 3, merged: 0 })
    })
  })

  it('keeps order: what comes after a waiting ask waits behind it, stands in for it, or, once per budget time, delivers it', () => {
    const { time, budget, delivered, counts, documentId, lost, first, withChange, cheap, cheapFlagged, sync } =
      budgetWorld()
    budget.offer('bob', sync(first))
    budget.answered('bob', documentId, 50_000)
    // An ask with a change cannot be stood in for. A message that is no ask behind it (an honest peer's ask crossed
    // our answer, and this one came once it had the answer) delivers both at once, in order.
    budget.offer('bob', sync(withChange))
    expect(delivered).toHaveLength(1)
    budget.offer('bob', sync(cheap))
    expect(delivered.map((message) => message.data)).toEqual([first, withChange, cheap])
    // An ask with no heads resets what Alice counts as sent: only another such ask stands in for it. Within the
    // budget time, a message that is no ask waits behind it (a peer cannot so draw every ask it sends).
    budget.answered('bob', documentId, 50_000)
    budget.offer('bob', sync(lost))
    budget.offer('bob', sync(cheap))
    budget.offer('bob', sync(lost))
    expect(delivered).toHaveLength(3)
    expect(counts.merged).toBe(2)
    time.advance(EVERY_MS)
    expect(delivered.map((message) => message.data)).toEqual([first, withChange, cheap, lost])
    // An ask from the start with no change and no reset: the next message stands in for it, and goes at once.
    budget.answered('bob', documentId, 50_000)
    budget.offer('bob', sync(first))
    budget.offer('bob', sync(cheapFlagged))
    expect(delivered.map((message) => message.data)).toEqual([first, withChange, cheap, lost, cheapFlagged])
    expect(counts.merged).toBe(3)
  })

  it('lets other documents, ephemerals and unavailability through, and delivers everything before a peer leaves', () => {
    const { budget, delivered, documentId, lost, first, sync } = budgetWorld()
    const other = parseAutomergeUrl(generateAutomergeUrl()).documentId
    budget.offer('bob', sync(first))
    budget.answered('bob', documentId, 50_000)
    budget.offer('bob', sync(lost))
    budget.offer('bob', sync(first, other))
    budget.offer('bob', { type: 'ephemeral', senderId: BOB, targetId: ALICE, documentId, data: new Uint8Array([1]) })
    budget.offer('bob', { type: 'doc-unavailable', senderId: BOB, targetId: ALICE, documentId })
    expect(delivered.map((message) => message.type)).toEqual(['sync', 'sync', 'ephemeral', 'doc-unavailable'])
    budget.release('bob')
    expect(delivered.at(-1)?.data).toEqual(lost)
    budget.offer('carol', sync(first))
    budget.answered('carol', documentId, 50_000)
    budget.offer('carol', sync(lost))
    budget.forget('carol')
    budget.release('carol')
    expect(delivered).toHaveLength(6)
  })

  it('lets the oldest waiting message through past the bound per document', () => {
    const { budget, delivered, documentId, first, sync } = budgetWorld()
    budget.offer('bob', sync(first))
    budget.answered('bob', documentId, 50_000)
    // Asks that each carry a different change cannot stand in for one another.
    const asks = Array.from({ length: MAX_WAITING_PER_DOCUMENT + 2 }, (_, i) => {
      const change = A.getLastLocalChange(A.change(A.from({ n: i }), (d) => (d.n = i + 1)))
      if (change === undefined) throw new Error('no change')
      return A.encodeSyncMessage({ heads: [], need: [], have: [], changes: [change] })
    })
    for (const data of asks) budget.offer('bob', sync(data))
    expect(delivered.map((message) => message.data)).toEqual([first, asks[0], asks[1]])
  })
})
