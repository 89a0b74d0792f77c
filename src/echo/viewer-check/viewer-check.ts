/**
 * The door through which ECHO asks whether a viewer's changes may pass (viewer-changes.ts): in place, or in a
 * worker under a deadline (worker-viewer-check.ts), so that a crafted change cannot hold the page busy.
 */
import type { PublicKey } from '../../halo'
import { viewerChangesPass, type Root, type Sender } from './viewer-changes'

export interface ViewerChangeCheck {
  /**
   * Whether `changes`, sent by `sender` to `root` (document `documentId`), only add its own log entries; false also
   * when the check could not finish.
   */
  passes(documentId: string, root: Root, changes: readonly Uint8Array[], sender: Sender): Promise<boolean>
  close(): void
}

/** Checks on this thread: Node and tests, where nothing else waits on it. */
export const inPlaceViewerCheck = (): ViewerChangeCheck => ({
  passes: (_documentId, root, changes, sender) => Promise.resolve(viewerChangesPass(root, changes, sender)),
  close: () => undefined,
})

/** What the page tells the worker: the wasm to load, a root as it is here (whole or since the last), a check. */
export type ToViewerCheck =
  | { readonly type: 'init'; readonly wasmUrl: string }
  | { readonly type: 'root'; readonly documentId: string; readonly bytes: Uint8Array; readonly whole: boolean }
  | {
      readonly type: 'check'
      readonly id: number
      readonly documentId: string
      /** The root's heads the check is for: a worker holding other heads answers `stale`. */
      readonly heads: readonly string[]
      readonly changes: readonly Uint8Array[]
      readonly sender: PublicKey
      readonly now: number
    }

/** Whether two lists name the same heads, in any order. */
export const sameHeads = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((hash) => b.includes(hash))

export type ViewerCheckVerdict = 'passes' | 'refused' | 'stale'

/** What the worker answers: a check started (the deadline runs from here), and its verdict with its time (ms). */
export type FromViewerCheck =
  | { readonly type: 'started'; readonly id: number }
  | { readonly type: 'result'; readonly id: number; readonly verdict: ViewerCheckVerdict; readonly ms: number }
