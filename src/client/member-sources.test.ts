import { describe, expect, it } from 'vitest'
import { Cell } from '../base'
import type { MeshStatus } from '../mesh'
import { memberSources } from './member-sources'

const statusWith = (peers: MeshStatus['spaces'][string]['peers'], lastSyncedAt: number): MeshStatus => ({
  overall: 'syncing',
  spaces: {
    garden: { state: 'syncing', peers, lastSynced: { at: lastSyncedAt, device: 'phone' } },
    other: { state: 'syncing', peers: [], lastSynced: { at: lastSyncedAt, device: 'phone' } },
  },
})

describe('memberSources', () => {
  it('tells who is online in the space only when that changes, not at every change of the mesh status', () => {
    const phone = { device: 'phone', identity: 'ada' }
    const status = new Cell<MeshStatus>(statusWith([phone], 1))
    const { online } = memberSources('garden', 'ada', new Cell([]), status)
    const heard: [string, readonly string[]][][] = []
    online.subscribe((now) => heard.push([...now]))

    status.set(statusWith([phone], 2))
    status.set({ ...statusWith([phone], 3), overall: 'up-to-date' })
    expect(heard).toEqual([])
    expect([...online.get()]).toEqual([['ada', ['phone']]])

    status.set(statusWith([phone, { device: 'laptop', identity: 'ada' }, { device: 'tablet', identity: 'bo' }], 4))
    status.set(statusWith([phone, { device: 'laptop', identity: 'ada' }, { device: 'tablet', identity: 'bo' }], 5))
    status.set(statusWith([{ device: 'unproven' }], 6))
    expect(heard).toEqual([
      [
        ['ada', ['phone', 'laptop']],
        ['bo', ['tablet']],
      ],
      [],
    ])
  })
})
