import { Cell, sameData, type Observable } from '../base'
import { isMeshStatusMessage, type MeshStatus } from '../mesh'
import { openTabChannel, type OpenChannel } from './tab-channel'

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
interface StatusPublisher {
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
  const channel = openTabChannel(open, 'mesh', isMeshStatusMessage)
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
      let last: MeshStatus | undefined
      const publish = (next: MeshStatus) => {
        // The mesh tells of every batch of sync progress (many a second while a space arrives), mostly with the
        // status unchanged: every space's member list and every tab would work it out again for nothing.
        if (!active || (last !== undefined && sameData(next, last))) return
        last = next
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
