import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import type { MeshStatus } from '../../mesh'
import { keepLastSynced } from './last-synced-keep'
import { SyncTracker } from './sync-tracker'

describe('SyncTracker', () => {
  /** A tracker that keeps what it publishes, over peers that each have `pending` documents to sync. */
  const publishing = (pending: number) => {
    const published: MeshStatus[] = []
    const tracker = new SyncTracker({
      clock: new ManualClock(),
      online: true,
      nameOf: () => undefined,
      publish: (status) => published.push(status),
      watchPeer: () => ({ pending: () => pending, state: () => '', stop: () => undefined }),
    })
    return { tracker, published }
  }

  it('publishes how each relay treats us beside the sync state, and nothing while there are none', () => {
    const { tracker, published } = publishing(0)
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

  it('counts per space the documents too large to send, only for spaces it follows, and publishes only changes', () => {
    const { tracker, published } = publishing(1)
    tracker.connected('work', 'peer-1', 'p'.repeat(64), 'repo-1')
    tracker.tooLarge({ work: 2, elsewhere: 1 })
    expect(published.at(-1)?.spaces).toEqual({
      work: { state: 'syncing', peers: [{ device: 'p'.repeat(64) }], tooLarge: 2 },
    })
    const told = published.length
    tracker.tooLarge({ work: 2, elsewhere: 1 })
    expect(published.length).toBe(told)
    tracker.tooLarge({})
    expect(published.at(-1)?.spaces.work).toEqual({ state: 'syncing', peers: [{ device: 'p'.repeat(64) }] })
  })

  it('keeps listing a device met in two rooms of a space while one of them drops it (review of kept rooms, 5)', () => {
    const { tracker, published } = publishing(0)
    const phone = { device: 'p'.repeat(64) }
    tracker.connected('work', '3 peer-1', phone.device, 'repo-phone')
    tracker.connected('work', '2 peer-1', phone.device, 'repo-phone')
    expect(published.at(-1)?.spaces.work).toMatchObject({ state: 'up-to-date', peers: [phone] })
    tracker.disconnected('work', '2 peer-1')
    expect(published.at(-1)?.spaces.work).toMatchObject({ state: 'up-to-date', peers: [phone] })
    tracker.disconnected('work', '3 peer-1')
    expect(published.at(-1)?.spaces.work).toMatchObject({ state: 'alone', peers: [] })
  })

  /** A tracker whose stall timers the test fires, over one peer whose pending documents and heads it sets. */
  const stalling = () => {
    const timers: { ms: number; run: () => void; cancelled: boolean }[] = []
    const after = (run: () => void, ms: number) => {
      const timer = { ms, run, cancelled: false }
      timers.push(timer)
      return () => {
        timer.cancelled = true
      }
    }
    const armed = () => timers.filter((timer) => !timer.cancelled).map((timer) => timer.ms)
    const fire = () => {
      const timer = timers.find((each) => !each.cancelled)
      if (timer === undefined) throw new Error('no timer armed')
      timer.cancelled = true
      timer.run()
    }
    const peer = { pending: 1, heads: 'doc-1:ours:theirs', changed: (): void => undefined }
    const restarted: string[] = []
    const clock = new ManualClock()
    const traced: [string, Readonly<Record<string, string | number | boolean>>][] = []
    const tracker = new SyncTracker({
      clock,
      online: true,
      nameOf: () => undefined,
      publish: () => undefined,
      watchPeer: (_repo, onChange) => {
        peer.changed = onChange
        return { pending: () => peer.pending, state: () => peer.heads, stop: () => undefined }
      },
      restart: (repo) => restarted.push(repo),
      after,
      trace: (event, fields = {}) => traced.push([event, fields]),
    })
    return { tracker, peer, restarted, armed, fire, clock, traced }
  }

  it('traces a stall with each side’s heads of its first two pending documents, cut short', () => {
    const { tracker, peer, fire, traced } = stalling()
    const hash = (letter: string): string => letter.repeat(64)
    peer.heads = `doc-aaaaaa:${hash('1')}:${hash('2')},${hash('3')};doc-bbbbbb:${hash('4')}:;doc-cccccc:${hash('5')}:`
    tracker.connected('work', 'peer-1', 'phone', 'repo-phone')
    fire()
    expect(traced.filter(([event]) => event === 'stalled')).toEqual([
      [
        'stalled',
        {
          repo: '-phone',
          documents: 'aaaaaa ours 1 theirs 2, bbbbbb ours 1 theirs 0, cccccc ours 1 theirs 0',
          heads1: 'aaaaaa ours 111111 theirs 222222 333333',
          heads2: 'bbbbbb ours 444444 theirs ',
          restarts: 0,
        },
      ],
    ])
  })

  it('restarts a peer that stays behind with no progress, each time later, and never one that is up to date', () => {
    const { tracker, peer, restarted, armed, fire, clock } = stalling()
    tracker.connected('work', 'peer-1', 'phone', 'repo-phone')
    expect(armed()).toEqual([8_000])
    // Progress (its pending documents changed) waits again from the start.
    peer.changed()
    expect(armed()).toEqual([8_000])
    // A lost message (CLIENT CONTEXT, "Syncing…" for good) is restarted at the first stall.
    fire()
    expect(restarted).toEqual(['repo-phone'])
    expect(armed()).toEqual([16_000])
    fire()
    expect(armed()).toEqual([32_000])
    // Up to date: no timer. A brief match keeps the backoff (review 15); one that lasts resets it.
    peer.pending = 0
    peer.changed()
    expect(armed()).toEqual([])
    peer.pending = 1
    peer.changed()
    expect(armed()).toEqual([32_000])
    peer.pending = 0
    peer.changed()
    clock.advance(128_000)
    peer.pending = 1
    peer.changed()
    expect(armed()).toEqual([8_000])
    // Gone: nothing left to restart.
    tracker.disconnected('work', 'peer-1')
    expect(armed()).toEqual([])
    expect(restarted).toEqual(['repo-phone', 'repo-phone'])
  })

  it('gives up after 3 restarts for the same stuck heads, and restarts only heads that stopped moving (review 15)', () => {
    const { tracker, peer, restarted, armed, fire } = stalling()
    tracker.connected('work', 'peer-1', 'phone', 'repo-phone')
    for (let at = 0; at < 10; at++) fire()
    expect(restarted).toHaveLength(3)
    // Still watched, in case its heads move.
    expect(armed()).toEqual([64_000])
    // Its heads moved (a document too large to go whole still goes change by change): no restart while they move.
    peer.heads = 'doc-1:ours-2:theirs-2'
    fire()
    expect(restarted).toHaveLength(3)
    peer.heads = 'doc-1:ours-3:theirs-3'
    fire()
    expect(restarted).toHaveLength(3)
    // They stopped at new heads: restarted again, at most 3 times.
    for (let at = 0; at < 10; at++) fire()
    expect(restarted).toHaveLength(6)
    tracker.disconnected('work', 'peer-1')
  })

  it('starts from the last syncs a leader before it kept, and keeps its own at most every 5 s and when it stops', () => {
    const laptop = 'l'.repeat(64)
    const stored = new Map([
      ['commonplace.last-synced', JSON.stringify({ identity: 'ada', spaces: { work: { at: 500, device: laptop } } })],
    ])
    let writes = 0
    const storage = {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => {
        writes++
        stored.set(key, value)
      },
      removeItem: (key: string) => void stored.delete(key),
    }
    const timers: { ms: number; run: () => void; cancelled: boolean }[] = []
    const armed = () => timers.filter((timer) => !timer.cancelled)
    const clock = new ManualClock(1_000)
    const published: MeshStatus[] = []
    const tracker = new SyncTracker({
      clock,
      online: true,
      nameOf: (device) => (device === laptop ? 'Laptop' : undefined),
      publish: (status) => published.push(status),
      watchPeer: () => ({ pending: () => 0, state: () => '', stop: () => undefined }),
      after: (run, ms) => {
        const timer = { ms, run, cancelled: false }
        timers.push(timer)
        return () => {
          timer.cancelled = true
        }
      },
      keep: keepLastSynced(storage, 'ada', clock),
    })
    tracker.space('work')
    // The kept time, with the name HALO gives the device now.
    expect(published.at(-1)).toMatchObject({
      overall: 'alone',
      lastSynced: { at: 500, device: laptop, name: 'Laptop' },
      spaces: { work: { state: 'alone', lastSynced: { at: 500, device: laptop, name: 'Laptop' } } },
    })
    expect(armed()).toEqual([])
    // In sync with the phone: each status moves the time, and one write waits 5 s for all of them.
    tracker.connected('work', 'peer-1', 'p'.repeat(64), 'repo-phone')
    clock.advance(1_000)
    tracker.online(true)
    tracker.relays([])
    expect(armed().map((timer) => timer.ms)).toEqual([5_000])
    expect(writes).toBe(0)
    const [write] = armed()
    if (write === undefined) throw new Error('no write armed')
    write.cancelled = true
    write.run()
    expect(writes).toBe(1)
    expect(keepLastSynced(storage, 'ada', clock).read().get('work')).toEqual({ at: 2_000, device: 'p'.repeat(64) })
    // Moved less than a second, the time it shows has not: the status is the same.
    const before = published.length
    clock.advance(400)
    tracker.relays([])
    expect(published.slice(before).map((status) => status.lastSynced?.at)).toEqual([2_000])
    // It leaves in sync; the mesh stops and writes at once. Nothing changed since: a second flush writes nothing.
    clock.advance(600)
    tracker.disconnected('work', 'peer-1')
    tracker.flush()
    expect(armed()).toEqual([])
    expect(writes).toBe(2)
    tracker.flush()
    expect(writes).toBe(2)
    expect(keepLastSynced(storage, 'ada', clock).read().get('work')).toEqual({ at: 3_000, device: 'p'.repeat(64) })
  })
})
