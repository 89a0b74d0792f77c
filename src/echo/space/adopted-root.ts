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
import type { PublicKey } from '../../halo'
import { foldMembership, roleOf } from '../membership/fold'
import type { SpaceDoc } from './documents'
import { toPlain } from './documents'
import { recordIn } from './root-fields'

/** Why the root is refused, or undefined when it is the space's. */
export const refusalOf = (root: SpaceDoc, space: SpaceId): SpaceRefused | undefined => {
  const doc = root as unknown as RawDoc
  if (!isSpaceRoot(doc, space)) return new SpaceRefused(space, 'not the root of this space')
  if (listed(doc) === undefined) return new SpaceRefused(space, 'its list of documents is malformed')
  if (!hasGenesis(doc, space)) return new SpaceRefused(space, 'no genesis signed by the space key')
  return undefined
}

/**
 * Refused unless the space's own membership log (folded here, before anything is registered) gives `identity` a
 * role; a personal space must also have been founded by `identity` (its genesis owner), whatever the root's
 * `personal` flag says: a peer writes that flag.
 */
export const membershipRefusalOf = (
  root: SpaceDoc,
  space: SpaceId,
  identity: PublicKey,
  personal: boolean,
): SpaceRefused | undefined => {
  const log = Object.values(recordIn(root.log)).map(toPlain)
  const state = foldMembership(space, log)
  if (roleOf(state, identity) === undefined) {
    return new SpaceRefused(space, 'its membership does not admit this identity', 'not-a-member')
  }
  if (personal && ownerOf(log, state.genesis) !== identity) {
    return new SpaceRefused(space, 'not this identity’s personal space', 'not-our-personal-space')
  }
  return undefined
}

/** The owner the applied genesis names (the fold checked its signature). */
const ownerOf = (log: readonly unknown[], genesis: string | undefined): unknown => {
  const record = (value: unknown): Record<string, unknown> => recordIn(value as Record<string, unknown>)
  const assertion = record(record(log.find((value) => record(value).id === genesis)).assertion)
  return assertion.kind === 'SpaceGenesis' ? assertion.owner : undefined
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
