import { Cell, type Observable } from '../../base'
import type { MeshStatus, RelayStatus } from '../../mesh'
import type { SyncApi, SyncStatus } from '../devices-api'

type State = MeshStatus['overall']
type LastSynced = MeshStatus['lastSynced']

/** The words' state from the leader's status (every tab shows the same) and how many other devices there are. */
const syncStatusOf = (
  state: State,
  peers: number,
  lastSynced: LastSynced,
  otherDevices: number,
  tooLarge = 0,
): SyncStatus => {
  if (state === 'offline') return { kind: 'offline' }
  if (state === 'syncing') return tooLarge > 0 ? { kind: 'syncing', tooLarge } : { kind: 'syncing' }
  if (state === 'up-to-date') return { kind: 'up-to-date', devices: peers }
  if (otherDevices === 0) return { kind: 'solo' }
  if (lastSynced !== undefined) {
    return { kind: 'idle', deviceName: lastSynced.name ?? lastSynced.device.slice(0, 8), at: lastSynced.at }
  }
  return { kind: 'looking' }
}

const follow = <T>(sources: readonly Observable<unknown>[], read: () => T): Observable<T> => {
  const cell = new Cell<T>(read())
  let same = JSON.stringify(cell.get())
  const update = (): void => {
    const next = read()
    const text = JSON.stringify(next)
    if (text === same) return
    same = text
    cell.set(next)
  }
  for (const source of sources) source.subscribe(update)
  return cell
}

/** `client.sync`: overall and per space, from the mesh status every tab hears. */
export const createSyncApi = (status: Observable<MeshStatus>, otherDevices: Observable<number>): SyncApi => ({
  overall: follow([status, otherDevices], () => {
    const now = status.get()
    const peers = new Set(Object.values(now.spaces).flatMap((space) => space.peers.map((peer) => peer.device)))
    const tooLarge = Object.values(now.spaces).reduce((sum, space) => sum + (space.tooLarge ?? 0), 0)
    return syncStatusOf(now.overall, peers.size, now.lastSynced, otherDevices.get(), tooLarge)
  }),
  space: (spaceId) =>
    follow([status, otherDevices], () => {
      const space = status.get().spaces[spaceId]
      if (space === undefined)
        return syncStatusOf(status.get().overall === 'offline' ? 'offline' : 'alone', 0, undefined, otherDevices.get())
      return syncStatusOf(space.state, space.peers.length, space.lastSynced, otherDevices.get(), space.tooLarge)
    }),
  relays: follow<readonly RelayStatus[]>([status], () => status.get().relays ?? []),
})
