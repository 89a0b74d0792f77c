import * as v from 'valibot'
import { Cell, type Observable } from '../base'
import { openTabChannel, type OpenChannel } from './tab-channel'

/**
 * Where a space (or the whole mesh) stands. `connecting`: no leader tab has told yet, or its mesh is
 * starting; `offline`: no network; `alone`: online, but none of the other devices is reachable.
 */
export const SYNC_STATES = ['connecting', 'offline', 'alone', 'syncing', 'up-to-date'] as const
export type SyncState = (typeof SYNC_STATES)[number]

const device = v.pipe(v.string(), v.maxLength(128))
const name = v.pipe(v.string(), v.maxLength(256))
const time = v.pipe(v.number(), v.integer(), v.minValue(0))

const peer = v.strictObject({ device, name: v.optional(name) })
const lastSynced = v.strictObject({ at: time, device, name: v.optional(name) })
const spaceStatus = v.strictObject({
  state: v.picklist(SYNC_STATES),
  peers: v.pipe(v.array(peer), v.maxLength(1000)),
  lastSynced: v.optional(lastSynced),
})
const meshStatus = v.strictObject({
  overall: v.picklist(SYNC_STATES),
  spaces: v.pipe(
    v.record(v.pipe(v.string(), v.maxLength(256)), spaceStatus),
    v.check((spaces) => Object.keys(spaces).length <= 10_000),
  ),
  lastSynced: v.optional(lastSynced),
})

/** The leader's sync status, as every tab shows it: plain JSON, so it crosses the tab channel as is. */
export type MeshStatus = v.InferOutput<typeof meshStatus>
export type SpaceMeshStatus = v.InferOutput<typeof spaceStatus>

const tab = v.pipe(v.string(), v.maxLength(64))
const message = v.variant('type', [
  v.strictObject({ type: v.literal('status'), leader: tab, status: meshStatus }),
  v.strictObject({ type: v.literal('gone'), leader: tab }),
  v.strictObject({ type: v.literal('request') }),
])
type MeshMessage = v.InferOutput<typeof message>

const isMessage = (data: unknown): data is MeshMessage => v.is(message, data)

/** Before any leader has told: nothing known. */
export const CONNECTING: MeshStatus = { overall: 'connecting', spaces: {} }

/** While leaders change: no peers, but when each space last synced is still true. */
const connectingFrom = (status: MeshStatus): MeshStatus => ({
  ...status,
  overall: 'connecting',
  spaces: Object.fromEntries(
    Object.entries(status.spaces).map(([id, space]) => [id, { ...space, state: 'connecting', peers: [] }]),
  ),
})

/** What the leader tab holds while it leads: what it publishes, every tab shows. */
export interface StatusPublisher {
  publish(status: MeshStatus): void
  /** Tells the other tabs this leader is gone; they show `connecting` until the next one publishes. */
  stepDown(): void
}

export interface MeshStatusChannel {
  readonly status: Observable<MeshStatus>
  /** This tab leads: it answers the other tabs' requests and publishes, starting from `connecting`. */
  lead(): StatusPublisher
  close(): void
}

/** Old leaders' ids kept, so a late message from one never overwrites its successor's. */
const RETIRED_KEPT = 32

/**
 * The sync status shared by the tabs of a profile over `openTabChannel('mesh')`. The leader publishes;
 * a follower keeps the last status and asks for a fresh one when it opens, so a new tab shows it at once.
 */
export const openMeshStatus = (open: OpenChannel): MeshStatusChannel => {
  const channel = openTabChannel(open, 'mesh', isMessage)
  const status = new Cell<MeshStatus>(CONNECTING)
  const retired: string[] = []
  let leader: string | undefined
  let leading = false

  const retire = (id: string) => {
    retired.push(id)
    if (retired.length > RETIRED_KEPT) retired.shift()
  }

  const stopListening = channel.subscribe((received) => {
    switch (received.type) {
      case 'request':
        if (leader !== undefined && leading) channel.post({ type: 'status', leader, status: status.get() })
        return
      case 'status':
        if (leading || retired.includes(received.leader)) return
        leader = received.leader
        status.set(received.status)
        return
      case 'gone':
        retire(received.leader)
        if (leading || (leader !== undefined && leader !== received.leader)) return
        leader = undefined
        status.set(connectingFrom(status.get()))
        return
    }
  })
  channel.post({ type: 'request' })

  return {
    status,
    lead: () => {
      // A fresh id per term: the other tabs retire the old one when this tab steps down.
      const tabId = crypto.randomUUID()
      leading = true
      leader = tabId
      let active = true
      const publish = (next: MeshStatus) => {
        if (!active) return
        status.set(next)
        channel.post({ type: 'status', leader: tabId, status: next })
      }
      publish(connectingFrom(status.get()))
      return {
        publish,
        stepDown: () => {
          if (!active) return
          active = false
          leading = false
          leader = undefined
          channel.post({ type: 'gone', leader: tabId })
          status.set(connectingFrom(status.get()))
        },
      }
    },
    close: () => {
      stopListening()
      channel.close()
    },
  }
}
