import { describe, expect, it } from 'vitest'
import { ManualClock } from '../base/testing/manual-clock'
import { PresenceTracker } from './presence'

describe('PresenceTracker', () => {
  it('shows a peer from the first sign of life until it falls silent or leaves', () => {
    const clock = new ManualClock()
    const tracker = new PresenceTracker({ clock, timeoutMs: 3_000 })
    const seen: string[][] = []
    tracker.peers.subscribe((peers) => seen.push([...peers].sort()))
    tracker.heard('a')
    tracker.heard('b')
    clock.advance(2_000)
    tracker.heard('a')
    clock.advance(1_500)
    tracker.sweep()
    expect([...tracker.peers.get()]).toEqual(['a'])
    tracker.left('a')
    expect(seen).toEqual([['a'], ['a', 'b'], ['a'], []])
  })

  it('brings a silent peer back when it is heard again, and publishes only changes', () => {
    const clock = new ManualClock()
    const tracker = new PresenceTracker({ clock, timeoutMs: 1_000 })
    let changes = 0
    tracker.peers.subscribe(() => changes++)
    tracker.heard('a')
    tracker.heard('a')
    tracker.sweep()
    tracker.left('nobody')
    expect(changes).toBe(1)
    clock.advance(1_001)
    tracker.sweep()
    expect(tracker.peers.get().size).toBe(0)
    tracker.heard('a')
    expect([...tracker.peers.get()]).toEqual(['a'])
    tracker.clear()
    tracker.clear()
    expect(changes).toBe(4)
  })

  it('waits as long as each peer asked, and keeps that wait when the peer sends anything else', () => {
    const clock = new ManualClock()
    const tracker = new PresenceTracker({ clock, timeoutMs: 1_000 })
    tracker.heard('hidden', 60_000)
    tracker.heard('visible')
    clock.advance(30_000)
    tracker.heard('hidden')
    tracker.sweep()
    expect([...tracker.peers.get()]).toEqual(['hidden'])
    clock.advance(59_000)
    tracker.sweep()
    expect([...tracker.peers.get()]).toEqual(['hidden'])
    tracker.heard('hidden', 1_000)
    clock.advance(1_001)
    tracker.sweep()
    expect(tracker.peers.get().size).toBe(0)
  })
})
