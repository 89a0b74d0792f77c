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
})
