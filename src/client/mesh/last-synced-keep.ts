import type { Clock } from '../../base'
import { MAX_KEPT_SPACES, parseKeptLastSynced } from '../../mesh'
import type { SettingsStorage } from '../mesh-settings'

/** One key for the profile: an identity set up here later finds another identity's value and ignores it. */
const STORAGE_KEY = 'commonplace.last-synced'

/** When this device last was in sync in a space, and with which device. */
interface LastSync {
  readonly at: number
  readonly device: string
}

/** The leader's last sync per space, kept on this device so a reload or another tab's lead starts from it. */
export interface LastSyncedKeep {
  /** What was kept for this identity, every entry checked; empty when nothing or something malformed is stored. */
  read(): ReadonlyMap<string, LastSync>
  /** Keeps the newest `MAX_KEPT_SPACES`; a storage that refuses (a full disk) loses only these times. */
  write(spaces: ReadonlyMap<string, LastSync>): void
}

const readStored = (storage: SettingsStorage): unknown => {
  try {
    const text = storage.getItem(STORAGE_KEY)
    return text === null ? undefined : JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The last sync times of `identity`, kept in `storage` (`localStorage` in the app, as the mesh settings are). */
export const keepLastSynced = (storage: SettingsStorage, identity: string, clock: Clock): LastSyncedKeep => ({
  read: () => {
    // Anything could have written it (another build, a hand edit): it is checked as input from outside.
    const kept = parseKeptLastSynced(readStored(storage))
    if (kept?.identity !== identity) return new Map()
    const now = clock.now()
    // A time ahead of the clock is not one this device saw: "last synced in 3 days" would be nonsense.
    return new Map(Object.entries(kept.spaces).filter(([, entry]) => entry.at <= now))
  },
  write: (spaces) => {
    const newest = [...spaces].sort(([, a], [, b]) => b.at - a.at).slice(0, MAX_KEPT_SPACES)
    const value = {
      identity,
      spaces: Object.fromEntries(newest.map(([spaceId, { at, device }]) => [spaceId, { at, device }])),
    }
    try {
      storage.setItem(STORAGE_KEY, JSON.stringify(value))
    } catch (error) {
      console.warn('The last sync times were not kept:', error)
    }
  },
})
