import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { PacedReads, pauseAfter } from './paced-reads'

/** A read the test ends by hand, timers the test fires by hand, and a clock it moves. */
const harness = () => {
  const clock = new ManualClock(1_000)
  const timers: { at: number; run: () => void }[] = []
  const reads: { resolve: (value: number) => void; reject: (error: unknown) => void }[] = []
  const delivered: number[] = []
  const failures: unknown[] = []
  const paced = new PacedReads<number>(
    () => new Promise<number>((resolve, reject) => reads.push({ resolve, reject })),
    (value) => delivered.push(value),
    (error) => failures.push(error),
    {
      now: () => clock.now(),
      after: (run, ms) => {
        const timer = { at: clock.now() + ms, run }
        timers.push(timer)
        return timer
      },
      cancel: (timer) => timers.splice(timers.indexOf(timer as (typeof timers)[number]), 1),
    },
  )
  /** Ends the oldest open read after `cost` ms with `value`, and lets its callbacks run. */
  const finish = async (cost: number, value: number) => {
    clock.advance(cost)
    reads.shift()?.resolve(value)
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  const fireTimers = () => {
    const due = timers.splice(0)
    for (const timer of due) {
      clock.set(Math.max(clock.now(), timer.at))
      timer.run()
    }
    return due.length
  }
  return { clock, timers, reads, delivered, failures, paced, finish, fireTimers }
}

describe('PacedReads', () => {
  it('reads at once when idle, and once more (not once per change) for changes during a read', async () => {
    const h = harness()
    h.paced.changed()
    expect(h.reads).toHaveLength(1)
    for (let change = 0; change < 50; change++) h.paced.changed()
    expect(h.reads).toHaveLength(1)
    await h.finish(10, 1)
    expect(h.delivered).toEqual([1])
    // The 50 changes ask for one more read, after a pause as long as the read took.
    expect(h.reads).toHaveLength(0)
    expect(h.timers.map((timer) => timer.at - h.clock.now())).toEqual([10])
    expect(h.fireTimers()).toBe(1)
    expect(h.reads).toHaveLength(1)
    await h.finish(10, 2)
    expect(h.delivered).toEqual([1, 2])
    expect(h.timers).toHaveLength(0)
  })

  it('pauses as long as a cheap read took, up to four times as long as a costly one', () => {
    expect([2, 10, 25, 50, 100, 1_300].map(pauseAfter)).toEqual([2, 10, 25, 100, 400, 5_200])
  })

  it('spends at most about a fifth of the time reading a costly list while changes keep coming', async () => {
    const h = harness()
    const start = h.clock.now()
    let reading = 0
    h.paced.changed()
    // A costly read (1.3 s, as a 5,000-row list) and a change every 300 ms, for a minute.
    while (h.clock.now() - start < 60_000) {
      h.clock.advance(300)
      h.paced.changed()
      if (h.reads.length > 0) {
        reading += 1_300
        await h.finish(1_300, h.delivered.length)
        h.paced.changed()
      }
      h.fireTimers()
    }
    const elapsed = h.clock.now() - start
    expect(reading / elapsed).toBeLessThanOrEqual(0.22)
    expect(h.delivered.length).toBeGreaterThanOrEqual(8)
  })

  it('reads a cheap list at once on every change that comes after the read', async () => {
    const h = harness()
    for (let change = 0; change < 5; change++) {
      h.paced.changed()
      await h.finish(2, change)
      h.clock.advance(5)
    }
    expect(h.delivered).toEqual([0, 1, 2, 3, 4])
    expect(h.timers).toHaveLength(0)
  })

  it('reports a failed read, and reads again on the next change', async () => {
    const h = harness()
    h.paced.changed()
    h.clock.advance(3)
    h.reads.shift()?.reject(new Error('disk'))
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(h.failures).toEqual([new Error('disk')])
    h.clock.advance(10)
    h.paced.changed()
    await h.finish(1, 7)
    expect(h.delivered).toEqual([7])
  })

  it('delivers nothing and reads no more once closed', async () => {
    const h = harness()
    h.paced.changed()
    h.paced.changed()
    h.paced.close()
    await h.finish(5, 1)
    expect(h.delivered).toEqual([])
    expect(h.timers).toHaveLength(0)
    h.paced.changed()
    expect(h.reads).toHaveLength(0)
  })
})
