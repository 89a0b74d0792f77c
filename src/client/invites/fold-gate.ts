/**
 * When the guest folds a host's log (review 14 H1). A fold is synchronous and costs up to 3 s of the leader tab's
 * main thread at 1,500 entries, so the folds of offers that passed `mayProve` are paced: one at a time, and after
 * one that took t ms the next waits `t * (1 / FOLD_SHARE - 1)`, so folding takes at most a fifth of the time. An
 * identity whose log refuted it is not folded again in this join (only someone who was admitted to share, as a
 * removed or demoted admin and the identities it signed in, can pass `mayProve` and be refuted). Past `MAX_REFUTED`
 * refuted folds only one offer waits at a time, but an identity never refuted is still folded: review 15 found that
 * stopping every fold there let a removed admin with 4 identities keep the real host's offer from ever being read.
 */

/** The largest share of the time the guest spends folding offers. */
export const FOLD_SHARE = 0.2
/** Refuted folds per join before only one offer may wait for a fold (the others are dropped unread). */
export const MAX_REFUTED = 4
/** Offers held for a fold at once, each with its log (up to 2 MiB); more are dropped until one is folded. */
const MAX_WAITING = 4

/** What a fold found: the host proved itself, its log refuted it, or it was not folded (the join moved on). */
export type FoldOutcome = 'proved' | 'refuted' | 'skipped'

export interface FoldGate {
  /** Queues the fold of `identity`'s offer; false if it was dropped (refuted before, or too many waiting). */
  offer(identity: string, fold: () => FoldOutcome): boolean
  stop(): void
}

export interface FoldGateOptions {
  /** Calls `fire` after `ms`; returns the cancel. */
  readonly after: (ms: number, fire: () => void) => () => void
  /** A monotonic clock in ms, to measure how long a fold took. */
  readonly now?: (() => number) | undefined
}

export const foldGate = (options: FoldGateOptions): FoldGate => {
  const now = options.now ?? (() => performance.now())
  const waiting = new Map<string, () => FoldOutcome>()
  const refuted = new Set<string>()
  let cancelPause: (() => void) | undefined
  let stopped = false

  const next = (): void => {
    if (stopped || cancelPause !== undefined) return
    const [first] = waiting
    if (first === undefined) return
    const [identity, fold] = first
    waiting.delete(identity)
    const start = now()
    const outcome = fold()
    const spent = now() - start
    if (outcome === 'refuted') refuted.add(identity)
    cancelPause = options.after(spent * (1 / FOLD_SHARE - 1), () => {
      cancelPause = undefined
      next()
    })
  }

  return {
    offer: (identity, fold) => {
      if (stopped || refuted.has(identity)) return false
      // One waiting fold per identity: its latest offer replaces an earlier one.
      const room = refuted.size >= MAX_REFUTED ? 1 : MAX_WAITING
      if (!waiting.has(identity) && waiting.size >= room) return false
      waiting.set(identity, fold)
      next()
      return true
    },
    stop: () => {
      stopped = true
      waiting.clear()
      cancelPause?.()
    },
  }
}
