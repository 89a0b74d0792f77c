/**
 * One Web Lock per space over its object documents, shared by the tabs of a
 * browser profile: writes of objects hold it shared, an epoch (which replaces the
 * object documents) and the collection of replaced documents hold it exclusive,
 * so no tab writes into a document while it is being replaced.
 */
import type { SpaceId } from '../ids'

/** The part of `navigator.locks` ECHO uses (injected, so tests can share or replace it). */
export type Locks = Pick<LockManager, 'request'>

const objectsLockName = (space: SpaceId): string => `commonplace-echo-objects:${space}`

export const withObjectsLock = <T>(locks: Locks, space: SpaceId, mode: LockMode, work: () => Promise<T>): Promise<T> =>
  locks.request(objectsLockName(space), { mode }, work)
