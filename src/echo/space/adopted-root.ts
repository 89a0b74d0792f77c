/**
 * A space learned from a peer (a linked device reads it from the personal space) is checked the way an imported
 * file's root is (`transfer/space-file-check.ts`) before anything of it is used or registered: the root of the
 * space it claims, in a space root's shape, with a genesis signed by the space key.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import { SpaceRefused, Aborted } from '../errors'
import type { SpaceId } from '../ids'
import type { RawDoc } from '../transfer/space-file'
import { hasGenesis, isSpaceRoot, listed } from '../transfer/space-file-check'
import type { SpaceDoc } from './documents'

/** Why the root is refused, or undefined when it is the space's. */
export const refusalOf = (root: SpaceDoc, space: SpaceId): SpaceRefused | undefined => {
  const doc = root as unknown as RawDoc
  if (!isSpaceRoot(doc, space)) return new SpaceRefused(space, 'not the root of this space')
  if (listed(doc) === undefined) return new SpaceRefused(space, 'its list of documents is malformed')
  if (!hasGenesis(doc, space)) return new SpaceRefused(space, 'no genesis signed by the space key')
  return undefined
}

/** Resolves once the document is here (a peer sent it); rejects with `Aborted` when `signal` stops the wait. */
export const untilReady = (handle: DocHandle<unknown>, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new Aborted())
      return
    }
    const aborted = () => reject(new Aborted())
    signal?.addEventListener('abort', aborted, { once: true })
    handle.whenReady(['ready']).then(
      () => {
        signal?.removeEventListener('abort', aborted)
        resolve()
      },
      (error: unknown) => {
        signal?.removeEventListener('abort', aborted)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
