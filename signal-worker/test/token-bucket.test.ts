import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/base/testing/manual-clock'
import { TokenBucket } from '../src/token-bucket'

describe('TokenBucket', () => {
  it('allows a burst, then refuses until time refills it', () => {
    const clock = new ManualClock(1_000)
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2 }, clock)
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false])
    clock.advance(499)
    expect(bucket.take()).toBe(false)
    clock.advance(1)
    expect(bucket.take()).toBe(true)
    expect(bucket.take()).toBe(false)
  })

  it('never holds more than its capacity', () => {
    const clock = new ManualClock()
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 100 }, clock)
    clock.advance(60_000)
    expect(bucket.available()).toBe(5)
  })

  it('keeps fractions of a token between frames', () => {
    const clock = new ManualClock()
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 4 }, clock)
    expect(bucket.take()).toBe(true)
    for (let i = 0; i < 4; i++) {
      clock.advance(50)
      expect(bucket.take()).toBe(false)
    }
    clock.advance(49)
    expect(bucket.take()).toBe(false)
    clock.advance(1)
    expect(bucket.take()).toBe(true)
  })

  it('ignores a clock that steps back', () => {
    const clock = new ManualClock(10_000)
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1 }, clock)
    bucket.take()
    bucket.take()
    clock.set(0)
    expect(bucket.take()).toBe(false)
    clock.advance(1_000)
    expect(bucket.take()).toBe(true)
  })
})
