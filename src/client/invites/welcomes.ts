/**
 * Welcomes into a space by invitation, held in memory only (review 13 G5, review 12 F1 items 2-4): the leader's
 * mesh joins the welcome's room and adopts its root, and the secret is sealed into the personal space only once
 * that root is here and its log admits this identity (ECHO's `adoptSpace`). A later welcome into the same space
 * replaces an earlier one, so a host that welcomed into a junk root or secret blocks nothing.
 */
import { Cell } from '../../base'
import type { SpaceId } from '../../echo'
import type { Welcomed, WelcomedSecrets } from '../mesh/swarm-secrets'

export interface Welcomes extends WelcomedSecrets {
  /** Holds `welcome` for `spaceId` in place of any earlier one; returns its release (a no-op once replaced). */
  hold(spaceId: SpaceId, welcome: Welcomed): () => void
}

export const createWelcomes = (): Welcomes => {
  const held = new Cell<ReadonlyMap<SpaceId, Welcomed>>(new Map())
  const forget = (spaceId: SpaceId, welcome: Welcomed): void => {
    if (held.get().get(spaceId) !== welcome) return
    const next = new Map(held.get())
    next.delete(spaceId)
    held.set(next)
  }
  return {
    get: () => held.get(),
    subscribe: (listener) => held.subscribe(listener),
    forget,
    hold: (spaceId, welcome) => {
      held.set(new Map(held.get()).set(spaceId, welcome))
      return () => {
        forget(spaceId, welcome)
      }
    },
  }
}
