/**
 * How long the browser keeps our data: the `navigator.storage` calls behind a
 * small edge (tests inject their own), and the check that tells an evicted
 * device from a first run.
 */
import type { SpaceRow } from './echo-database'

interface StorageEstimate {
  readonly usage: number
  readonly quota: number
}

/** The part of `navigator.storage` ECHO uses. */
export interface StorageEdge {
  /** Asks the browser not to evict this origin's data; true when granted. */
  persist(): Promise<boolean>
  persisted(): Promise<boolean>
  estimate(): Promise<StorageEstimate>
}

/** The edge over `navigator.storage` (or anything shaped like its three calls). */
export const browserStorageEdge = (
  storage: Pick<StorageManager, 'persist' | 'persisted' | 'estimate'>,
): StorageEdge => ({
  persist: () => storage.persist(),
  persisted: () => storage.persisted(),
  estimate: async () => {
    const { usage = 0, quota = 0 } = await storage.estimate()
    return { usage, quota }
  },
})

export type StorageHealth = 'first-run' | 'ok' | 'storage-cleared'

/**
 * Every identity gets its personal space when it is created, so an identity on
 * this device with no spaces here means the spaces were evicted or cleared:
 * `storage-cleared`, which the app must show as a warning, not as a fresh start.
 */
export const storageHealth = (identityExists: boolean, spaces: readonly SpaceRow[]): StorageHealth => {
  if (spaces.length > 0) return 'ok'
  return identityExists ? 'storage-cleared' : 'first-run'
}
