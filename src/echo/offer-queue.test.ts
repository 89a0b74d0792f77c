import { describe, expect, it } from 'vitest'
import { OfferQueue, type OfferRank } from './offer-queue'
import type { DocumentId } from './space/documents'

const doc = (name: string) => name as DocumentId

/** A queue whose ranks come from the name's first letter (r: root, o: object document) and whose clock is ours. */
const queueOf = (window: number) => {
  const timers: { ms: number; fire: () => void; cancelled: boolean }[] = []
  const rank = (id: DocumentId): OfferRank => (id.startsWith('r') ? 0 : id.startsWith('o') ? 1 : 2)
  const queue = new OfferQueue({
    rank,
    window,
    answerWaitMs: 5_000,
    after: (ms, fire) => {
      const timer = { ms, fire, cancelled: false }
      timers.push(timer)
      return () => {
        timer.cancelled = true
      }
    },
  })
  const offered: string[] = []
  const refused: string[] = []
  const offer = (peer: string, id: string) =>
    void queue.offer(peer, doc(id)).then((yes) => (yes ? offered : refused).push(`${peer}:${id}`))
  return { queue, timers, offered, refused, offer }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('OfferQueue', () => {
  it('offers roots at once, then object documents before texts, at most `window` unanswered', async () => {
    const { queue, offered, offer } = queueOf(2)
    for (const id of ['t1', 't2', 't3', 'o1', 'r1', 'o2', 'r2']) offer('p', id)
    await settle()
    // t1 and t2 took the two places before the object documents were asked about; roots need none.
    expect(offered).toEqual(['p:t1', 'p:t2', 'p:r1', 'p:r2'])
    queue.heard('p', doc('t1'))
    await settle()
    expect(offered.slice(4)).toEqual(['p:o1'])
    queue.heard('p', doc('t2'))
    queue.heard('p', doc('o1'))
    await settle()
    expect(offered.slice(5)).toEqual(['p:o2', 'p:t3'])
  })

  it('lets a waiting document go at once when the peer asks about it, and answers yes again without queueing', async () => {
    const { queue, offered, offer } = queueOf(1)
    for (const id of ['t1', 't2', 't3']) offer('p', id)
    queue.heard('p', doc('t3'))
    await settle()
    expect(offered).toEqual(['p:t1', 'p:t3'])
    // Asked again (the rules changed): offered before, so yes at once; the window is still held by t1.
    offer('p', 't3')
    offer('p', 't1')
    await settle()
    expect(offered).toEqual(['p:t1', 'p:t3', 'p:t3', 'p:t1'])
    const again = queueOf(1)
    again.offer('p', 't1')
    again.offer('p', 't2')
    again.offer('p', 't2')
    again.queue.heard('p', doc('t1'))
    await settle()
    expect(again.offered).toEqual(['p:t1', 'p:t2', 'p:t2'])
  })

  it('keeps each peer in its own line, frees a place after the answer wait, and refuses what waited when a peer goes', async () => {
    const { queue, timers, offered, refused, offer } = queueOf(1)
    for (const id of ['t1', 't2', 't3']) offer('a', id)
    offer('b', 't1')
    await settle()
    expect(offered).toEqual(['a:t1', 'b:t1'])
    expect(timers.map(({ ms }) => ms)).toEqual([5_000, 5_000])
    timers[0]?.fire()
    await settle()
    expect(offered).toEqual(['a:t1', 'b:t1', 'a:t2'])
    queue.gone('a')
    await settle()
    expect(refused).toEqual(['a:t3'])
    // a:t1's wait fired (its answer clears it), a:t2's goes with its peer, b:t1's still runs.
    expect(timers.map(({ cancelled }) => cancelled)).toEqual([true, false, true])
    // Back again: offered anew from the start.
    offer('a', 't1')
    await settle()
    expect(offered.at(-1)).toBe('a:t1')
  })
})
