/**
 * The worker's side of the viewer check: keeps a copy of the roots it was sent and judges changes against them
 * (viewer-changes.ts). Messages are handled one after another, once the wasm is loaded.
 */
import { getHeads, load, loadIncremental } from '@automerge/automerge/slim'
import { keepNewest } from '../../base'
import { initEcho } from '../runtime'
import { viewerChangesPass, type Root } from './viewer-changes'
import { sameHeads, type FromViewerCheck, type ToViewerCheck } from './viewer-check'

/** Roots kept at once: a member is in few spaces with viewers that write. The page sends one again when asked. */
const KEPT_ROOTS = 8

export class ViewerCheckHost {
  readonly #post: (message: FromViewerCheck) => void
  readonly #roots = new Map<string, Root>()
  #ready: Promise<boolean> = Promise.resolve(true)
  #turn: Promise<void> = Promise.resolve()

  constructor(post: (message: FromViewerCheck) => void) {
    this.#post = post
  }

  receive(message: ToViewerCheck): void {
    if (message.type === 'init') {
      this.#ready = initEcho(message.wasmUrl).then(
        () => true,
        () => false,
      )
      return
    }
    const ready = this.#ready
    this.#turn = this.#turn.then(async () => {
      try {
        if (await ready) {
          this.#handle(message)
          return
        }
      } catch {
        // Our own root unreadable, or a post that failed: the check is refused, the next ones still run.
      }
      if (message.type === 'check') this.#post({ type: 'result', id: message.id, verdict: 'refused', ms: 0 })
    })
  }

  #handle(message: Exclude<ToViewerCheck, { type: 'init' }>): void {
    const { documentId } = message
    const held = this.#roots.get(documentId)
    if (message.type === 'root') {
      this.#roots.delete(documentId)
      try {
        const root: Root =
          message.whole || held === undefined ? load(message.bytes) : loadIncremental(held, message.bytes)
        keepNewest(this.#roots, documentId, root, KEPT_ROOTS)
      } catch {
        // The page's own root; were it unreadable, the next check answers `stale` and it is sent whole.
      }
      return
    }
    const { id } = message
    if (held === undefined || !sameHeads(getHeads(held), message.heads)) {
      this.#post({ type: 'result', id, verdict: 'stale', ms: 0 })
      return
    }
    this.#post({ type: 'started', id })
    const started = performance.now()
    const sender = { identity: message.sender, clock: { now: () => message.now } }
    let passes = false
    try {
      passes = viewerChangesPass(held, message.changes, sender)
    } catch {
      // Bytes from a peer that Automerge chokes on in a way not foreseen: refused like any other.
    }
    const ms = performance.now() - started
    this.#post({ type: 'result', id, verdict: passes ? 'passes' : 'refused', ms })
  }
}
