import { describe, expect, it } from 'vitest'
import { Cell } from '../../base'
import type { MeshStatus } from '../../mesh'
import { createSyncApi } from './sync-api'

const phone = { device: 'p'.repeat(64), name: 'Phone' }

describe('client.sync', () => {
  it('says where sync stands, overall and per space, from the leader status', () => {
    const status = new Cell<MeshStatus>({ overall: 'connecting', spaces: {} })
    const others = new Cell(0)
    const sync = createSyncApi(status, others)
    const work = sync.space('work')
    expect(sync.overall.get()).toEqual({ kind: 'solo' })
    others.set(1)
    expect(sync.overall.get()).toEqual({ kind: 'looking' })
    status.set({ overall: 'syncing', spaces: { work: { state: 'syncing', peers: [phone] } } })
    expect(sync.overall.get()).toEqual({ kind: 'syncing' })
    expect(work.get()).toEqual({ kind: 'syncing' })
    status.set({ overall: 'up-to-date', spaces: { work: { state: 'up-to-date', peers: [phone] } } })
    expect(sync.overall.get()).toEqual({ kind: 'up-to-date', devices: 1 })
    const lastSynced = { at: 1_000, device: phone.device, name: 'Phone' }
    status.set({ overall: 'alone', spaces: { work: { state: 'alone', peers: [], lastSynced } }, lastSynced })
    expect(sync.overall.get()).toEqual({ kind: 'idle', deviceName: 'Phone', at: 1_000 })
    expect(work.get()).toEqual({ kind: 'idle', deviceName: 'Phone', at: 1_000 })
    status.set({ overall: 'offline', spaces: {} })
    expect(sync.overall.get()).toEqual({ kind: 'offline' })
    expect(sync.space('home').get()).toEqual({ kind: 'offline' })
  })

  it('says how many documents are too large to send while syncing, per space and summed overall', () => {
    const status = new Cell<MeshStatus>({
      overall: 'syncing',
      spaces: {
        work: { state: 'syncing', peers: [phone], tooLarge: 2 },
        home: { state: 'syncing', peers: [phone], tooLarge: 1 },
        notes: { state: 'up-to-date', peers: [phone] },
      },
    })
    const sync = createSyncApi(status, new Cell(1))
    expect(sync.overall.get()).toEqual({ kind: 'syncing', tooLarge: 3 })
    expect(sync.space('work').get()).toEqual({ kind: 'syncing', tooLarge: 2 })
    expect(sync.space('notes').get()).toEqual({ kind: 'up-to-date', devices: 1 })
  })

  it('gives each relay of the leader status, and tells only changes', () => {
    const status = new Cell<MeshStatus>({ overall: 'connecting', spaces: {} })
    const relays = createSyncApi(status, new Cell(0)).relays
    expect(relays.get()).toEqual([])
    let told = 0
    relays.subscribe(() => told++)
    const refused = { url: 'ws://127.0.0.1:1/r/bad', state: 'refused', reason: 'blocked: no' } as const
    status.set({ overall: 'alone', spaces: {}, relays: [refused] })
    status.set({ overall: 'syncing', spaces: {}, relays: [refused] })
    expect(relays.get()).toEqual([refused])
    expect(told).toBe(1)
  })
})
