import { describe, expect, it } from 'vitest'
import { ManualClock } from '../base/testing/manual-clock'
import { PEER_RATE_LIMIT, PeerRate, type RateVerdict } from './peer-rate'

const takeMany = (rate: PeerRate, peerId: string, count: number): Record<RateVerdict, number> => {
  const counts: Record<RateVerdict, number> = { pass: 0, drop: 0, cut: 0 }
  for (let i = 0; i < count; i++) counts[rate.take(peerId)] += 1
  return counts
}

describe('PeerRate', () => {
  it('passes a 10,000-document first sync arriving at once, then a minute of typing in 5 notes, without a drop', () => {
    const clock = new ManualClock()
    const rate = new PeerRate(PEER_RATE_LIMIT, clock)
    // Measured: 2 frames per document each way, one per document at once from a peer with all of them loaded.
    expect(takeMany(rate, 'bob', 20_002)).toEqual({ pass: 20_002, drop: 0, cut: 0 })
    for (let tick = 0; tick < 600; tick++) {
      clock.advance(100)
      // At most one frame per document per 100 ms (automerge-repo's throttle), and the presence beat.
      expect(takeMany(rate, 'bob', 6)).toEqual({ pass: 6, drop: 0, cut: 0 })
    }
  })

  it('drops past the burst, refills at the sustained rate, and cuts once at the set number of drops', () => {
    const clock = new ManualClock()
    const rate = new PeerRate({ perSecond: 10, burst: 20, cutAfterDrops: 5 }, clock)
    expect(takeMany(rate, 'mallory', 22)).toEqual({ pass: 20, drop: 2, cut: 0 })
    clock.advance(300)
    expect(takeMany(rate, 'mallory', 3)).toEqual({ pass: 3, drop: 0, cut: 0 })
    expect(takeMany(rate, 'mallory', 4)).toEqual({ pass: 0, drop: 3, cut: 1 })
    expect(takeMany(rate, 'mallory', 2)).toEqual({ pass: 0, drop: 2, cut: 0 })
    // Another peer has its own bucket; a new connection under the same id starts full.
    expect(takeMany(rate, 'bob', 20)).toEqual({ pass: 20, drop: 0, cut: 0 })
    rate.forget('mallory')
    expect(takeMany(rate, 'mallory', 20)).toEqual({ pass: 20, drop: 0, cut: 0 })
  })

  it('refills no more than the burst after a long silence, and nothing when the clock goes back', () => {
    const clock = new ManualClock(10_000)
    const rate = new PeerRate({ perSecond: 10, burst: 20, cutAfterDrops: 100 }, clock)
    takeMany(rate, 'bob', 20)
    clock.advance(3_600_000)
    expect(takeMany(rate, 'bob', 21)).toEqual({ pass: 20, drop: 1, cut: 0 })
    clock.set(0)
    expect(takeMany(rate, 'bob', 1)).toEqual({ pass: 0, drop: 1, cut: 0 })
  })
})
