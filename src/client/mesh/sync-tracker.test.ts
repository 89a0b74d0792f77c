import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { MeshStatus } from '../../mesh'
import { SyncTracker } from './sync-tracker'

describe('SyncTracker', () => {
  it('publishes how each relay treats us beside the sync state, and nothing while there are none', () => {
    const published: MeshStatus[] = []
    const tracker = new SyncTracker({
      clock: new ManualClock(),
      online: true,
      nameOf: () => undefined,
      publish: (status) => published.push(status),
      watchPeer: () => ({ pending: () => 0, stop: () => undefined }),
    })
    tracker.space('work')
    expect(published.at(-1)).toEqual({ overall: 'alone', spaces: { work: { state: 'alone', peers: [] } } })
    const relays = [
      { url: 'ws://127.0.0.1:1/r/bad', state: 'refused', reason: 'blocked: no' },
      { url: 'ws://127.0.0.1:1/r/main', state: 'unreachable' },
    ] as const
    tracker.relays(relays)
    expect(published.at(-1)?.relays).toEqual(relays)
    tracker.online(false)
    expect(published.at(-1)).toMatchObject({ overall: 'offline', relays })
  })

  it('restarts a peer that stays behind with no progress, each time later, and never one that is up to date', () => {
    const timers: { ms: number; run: () => void; cancelled: boolean }[] = []
    const after = (run: () => void, ms: number) => {
      const timer = { ms, run, cancelled: false }
      timers.push(timer)
      return () => {
        timer.cancelled = true
      }
    }
    const armed = () => timers.filter((timer) => !timer.cancelled)
    const fire = () => {
      const [timer] = armed()
      if (timer === undefined) throw new Error('no timer armed')
      timer.cancelled = true
      timer.run()
    }
    let pending = 1
    let changed = (): void => undefined
    const restarted: string[] = []
    const tracker = new SyncTracker({
      clock: new ManualClock(),
      online: true,
      nameOf: () => undefined,
      publish: () => undefined,
      watchPeer: (_repo, onChange) => {
        changed = onChange
        return { pending: () => pending, stop: () => undefined }
      },
      restart: (repo) => restarted.push(repo),
      after,
    })
    tracker.connected('work', 'peer-1', 'phone', 'repo-phone')
    expect(armed().map((timer) => timer.ms)).toEqual([8_000])
    // Progress (its pending documents changed) waits again from the start.
    changed()
    expect(armed().map((timer) => timer.ms)).toEqual([8_000])
    fire()
    expect(restarted).toEqual(['repo-phone'])
    expect(armed().map((timer) => timer.ms)).toEqual([16_000])
    fire()
    expect(armed().map((timer) => timer.ms)).toEqual([32_000])
    // Up to date: no timer, and the next stall waits the first delay again.
    pending = 0
    changed()
    expect(armed()).toEqual([])
    pending = 1
    changed()
    expect(armed().map((timer) => timer.ms)).toEqual([8_000])
    // Gone: nothing left to restart.
    tracker.disconnected('work', 'peer-1')
    expect(armed()).toEqual([])
    expect(restarted).toEqual(['repo-phone', 'repo-phone'])
  })
})
