// Tests only: what a document's heads are in memory and in ECHO's storage, for layers that may not import Automerge.
import { getHeads } from '@automerge/automerge/slim'
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Echo } from '../echo'
import { repoOf } from './internals'

export const headsOf = (handle: DocHandle<unknown>): string => JSON.stringify(getHeads(handle.doc() as never))

/** The heads of what `echo` stored of each document, once flushed ('none' when nothing is stored). */
export const storedHeads = async (echo: Echo, handles: readonly DocHandle<unknown>[]): Promise<string[]> => {
  const flushed = await echo.flush()
  if (!flushed.ok) throw flushed.error
  const storage = repoOf(echo).storageSubsystem
  if (storage === undefined) throw new Error('no storage')
  return Promise.all(
    handles.map(async (handle) => {
      const stored = await storage.loadDoc(handle.documentId)
      return stored === null ? 'none' : JSON.stringify(getHeads(stored))
    }),
  )
}
