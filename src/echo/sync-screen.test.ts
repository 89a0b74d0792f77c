import '../echo/testing/node-runtime'
import {
  change,
  clone,
  decodeSyncMessage,
  encodeSyncMessage,
  from,
  generateSyncMessage,
  init,
  initSyncState,
  receiveSyncMessage,
  type Doc,
  type SyncState,
} from '@automerge/automerge/slim'
import { describe, expect, it } from 'vitest'
import { knownHeads, withoutChanges } from './sync-screen'

interface Note {
  title: string
  [key: string]: unknown
}

/** Two peers syncing, the viewer's messages passed through `screen`; counts the rounds until both are quiet. */
class Pair<T = Note> {
  states: [SyncState, SyncState] = [initSyncState(), initSyncState()]
  owner: Doc<T>
  viewer: Doc<T>
  readonly screen: (data: Uint8Array, owner: Doc<T>) => Uint8Array | undefined

  constructor(owner: Doc<T>, viewer: Doc<T>, screen: (data: Uint8Array, owner: Doc<T>) => Uint8Array | undefined) {
    this.owner = owner
    this.viewer = viewer
    this.screen = screen
  }

  sync(limit = 50): number {
    for (let round = 0; round < limit; round++) {
      const [ownerState, toViewer] = generateSyncMessage(this.owner, this.states[0])
      this.states[0] = ownerState
      if (toViewer !== null) [this.viewer, this.states[1]] = receiveSyncMessage(this.viewer, this.states[1], toViewer)
      const [viewerState, toOwner] = generateSyncMessage(this.viewer, this.states[1])
      this.states[1] = viewerState
      const screened = toOwner === null ? undefined : this.screen(toOwner, this.owner)
      if (screened !== undefined)
        [this.owner, this.states[0]] = receiveSyncMessage(this.owner, this.states[0], screened)
      if (toViewer === null && toOwner === null) return round
    }
    return limit
  }
}

const ours = <T>(data: Uint8Array, owner: Doc<T>): Uint8Array | undefined => withoutChanges(data, knownHeads(owner))
/** The changes taken out, nothing else: what a naive check would do. */
const changesOnly = (data: Uint8Array): Uint8Array => encodeSyncMessage({ ...decodeSyncMessage(data), changes: [] })

interface Root {
  [key: string]: unknown
  kind: string
  name: string
  log: Record<string, { by: string }>
}

const shared = (): Doc<Note> => from<Note>({ title: 'Plan' })

describe('withoutChanges', () => {
  it('keeps a viewer’s changes out while the owner’s keep reaching it, and the sync settles', () => {
    const base = shared()
    const pair = new Pair(
      change(clone(base), (doc) => {
        doc.owner = 'first'
      }),
      change(clone(base), (doc) => {
        doc.title = 'Forced by the viewer'
      }),
      ours,
    )
    expect(pair.sync()).toBeLessThan(5)
    expect(pair.owner).toEqual({ title: 'Plan', owner: 'first' })
    expect(pair.viewer.owner).toBe('first')
    // The viewer changes again after a refused change, then the owner edits: still settles, still kept out.
    pair.viewer = change(pair.viewer, (doc) => {
      doc.title = 'Again'
    })
    expect(pair.sync()).toBeLessThan(5)
    pair.owner = change(pair.owner, (doc) => {
      doc.owner = 'later'
    })
    expect(pair.sync()).toBeLessThan(5)
    expect(pair.owner).toEqual({ title: 'Plan', owner: 'later' })
    expect(pair.viewer.owner).toBe('later')
    // Both forget their sync states (a reconnect without stored state): the same.
    pair.states = [initSyncState(), initSyncState()]
    pair.owner = change(pair.owner, (doc) => {
      doc.owner = 'after reconnect'
    })
    expect(pair.sync()).toBeLessThan(5)
    expect(pair.owner.title).toBe('Plan')
    expect(pair.viewer.owner).toBe('after reconnect')
  })

  it('gives a viewer with nothing the whole document', () => {
    const pair = new Pair(shared(), init<Note>(), ours)
    expect(pair.sync()).toBeLessThan(5)
    expect(pair.viewer).toEqual({ title: 'Plan' })
  })

  it('measured: taking the changes out alone makes the two peers answer each other without end', () => {
    const base = shared()
    const pair = new Pair(
      clone(base),
      change(clone(base), (doc) => {
        doc.title = 'Forced'
      }),
      changesOnly,
    )
    pair.sync()
    pair.viewer = change(pair.viewer, (doc) => {
      doc.title = 'Again'
    })
    expect(pair.sync(50)).toBe(50)
  })

  it('lets through changes that only add log entries to a root, and nothing else a viewer does there', () => {
    const base = from<Root>({ kind: 'commonplace/space', name: 'Garden plans', log: { genesis: { by: 'owner' } } })
    const pair = new Pair<Root>(clone(base), clone(base), ours)
    pair.viewer = change(pair.viewer, (doc) => {
      doc.log.leave = { by: 'viewer' }
    })
    expect(pair.sync()).toBeLessThan(5)
    expect(pair.owner.log).toEqual({ genesis: { by: 'owner' }, leave: { by: 'viewer' } })
    // Rewriting or deleting an entry there, or the name, is refused.
    for (const refused of [
      (doc: Root) => {
        doc.log.genesis = { by: 'viewer' }
      },
      (doc: Root) => {
        delete doc.log.genesis
      },
      (doc: Root) => {
        doc.name = 'Taken over'
        doc.log.other = { by: 'viewer' }
      },
    ]) {
      pair.viewer = change(pair.viewer, refused)
      expect(pair.sync()).toBeLessThan(5)
      expect(pair.owner).toEqual({
        kind: 'commonplace/space',
        name: 'Garden plans',
        log: { genesis: { by: 'owner' }, leave: { by: 'viewer' } },
      })
    }
    // An entry added on top of a refused change would wait for it and apply later unchecked: refused too.
    pair.viewer = change(pair.viewer, (doc) => {
      doc.log.late = { by: 'viewer' }
    })
    expect(pair.sync()).toBeLessThan(5)
    expect(Object.keys(pair.owner.log)).toEqual(['genesis', 'leave'])
  })

  it('lets nothing through in a document that is not a root', () => {
    const base = from<Note>({ title: 'Plan', log: {} })
    const pair = new Pair(clone(base), clone(base), ours)
    pair.viewer = change(pair.viewer, (doc) => {
      ;(doc.log as Record<string, unknown>).added = 'x'
    })
    expect(pair.sync()).toBeLessThan(5)
    expect(pair.owner).toEqual({ title: 'Plan', log: {} })
  })

  it('refuses bytes that are not a sync message', () => {
    expect(withoutChanges(new Uint8Array([1, 2, 3]), knownHeads(shared()))).toBeUndefined()
  })
})
