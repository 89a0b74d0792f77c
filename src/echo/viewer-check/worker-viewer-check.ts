/**
 * Viewer checks in a worker (viewer-check-host.ts), one at a time. Loading a viewer's changes cannot be stopped
 * part way, and a few hundred bytes can hold 300,000 operations (1.2 s to load here, 12.8 s for 1,234 bytes in a
 * review): a check that runs past `deadlineMs` is refused, the worker is stopped (a new one starts for the next
 * check), and that sender's changes are refused unchecked from then on. The worker keeps copies of the roots it
 * judged against; each is sent again only as what changed since.
 */
import { getHeads, save, saveSince } from '@automerge/automerge/slim'
import type { Trace } from '../../base'
import type { PublicKey } from '../../halo'
import type { Root, Sender } from './viewer-changes'
import {
  sameHeads,
  type FromViewerCheck,
  type ToViewerCheck,
  type ViewerChangeCheck,
  type ViewerCheckVerdict,
} from './viewer-check'

/** The part of a `Worker` used here. */
export interface ViewerCheckWorker {
  postMessage(message: ToViewerCheck): void
  addEventListener(type: 'message', listener: (event: MessageEvent<FromViewerCheck>) => void): void
  addEventListener(type: 'error', listener: () => void): void
  terminate(): void
}

export interface WorkerViewerCheckOptions {
  /** A new worker running viewer-check-worker.ts (`spawnViewerCheckWorker`). */
  readonly spawn: () => ViewerCheckWorker
  /** Where the Automerge wasm is served, from the page (the worker loads its own). */
  readonly wasmUrl: string
  /**
   * How long one check may run (ms): an honest one adds at most 8 small entries (a few ms); the crafted 300,000
   * operations take over a second.
   */
  readonly deadlineMs?: number
  /** Where a check that ran out of time is told (`viewer-check-late`, with its sender). */
  readonly trace?: Trace
}

/** Roots whose copy in the worker is tracked; the worker keeps as many (viewer-check-host.ts). */
const TRACKED_ROOTS = 8
/** Senders whose changes ran out of time, remembered at once; the oldest forgotten. */
const REMEMBERED_LATE = 256

/** How long a check may take to start (ms): the worker's wasm, and a root it has not seen, loaded first. */
const START_MS = 30_000

type Answer = ViewerCheckVerdict | 'late'

interface Running {
  readonly worker: ViewerCheckWorker
  /** The answer to the check `id`, and its timer: to start, then the deadline once it started. */
  waiting?:
    { readonly id: number; readonly answer: (answer: Answer) => void; timer: ReturnType<typeof setTimeout> } | undefined
}

export class WorkerViewerCheck implements ViewerChangeCheck {
  readonly #options: WorkerViewerCheckOptions
  readonly #deadlineMs: number
  /** What the worker holds of each root: the heads last sent. */
  readonly #sent = new Map<string, readonly string[]>()
  readonly #late = new Set<PublicKey>()
  #running: Running | undefined
  #turn: Promise<unknown> = Promise.resolve()
  #nextId = 0
  #closed = false

  constructor(options: WorkerViewerCheckOptions) {
    this.#options = options
    this.#deadlineMs = options.deadlineMs ?? 2_000
  }

  passes(documentId: string, root: Root, changes: readonly Uint8Array[], sender: Sender): Promise<boolean> {
    const checked = this.#turn.then(() => this.#check(documentId, root, changes, sender)).catch(() => false)
    this.#turn = checked
    return checked
  }

  close(): void {
    this.#closed = true
    this.#stop('refused')
  }

  async #check(documentId: string, root: Root, changes: readonly Uint8Array[], sender: Sender): Promise<boolean> {
    if (this.#closed || this.#late.has(sender.identity)) return false
    let answer = await this.#ask(documentId, root, changes, sender)
    // The worker lost its copy (a new worker, or one it let go): sent whole, once more.
    if (answer === 'stale') {
      this.#sent.delete(documentId)
      answer = await this.#ask(documentId, root, changes, sender)
    }
    if (answer === 'late') {
      this.#late.add(sender.identity)
      for (const oldest of this.#late) {
        if (this.#late.size <= REMEMBERED_LATE) break
        this.#late.delete(oldest)
      }
      this.#options.trace?.('viewer-check-late', { sender: sender.identity })
    }
    return answer === 'passes'
  }

  #ask(documentId: string, root: Root, changes: readonly Uint8Array[], sender: Sender): Promise<Answer> {
    const running = (this.#running ??= this.#start())
    const heads = getHeads(root)
    this.#sendRoot(running.worker, documentId, root, heads)
    const id = ++this.#nextId
    const answered = new Promise<Answer>((answer) => {
      // Loading a root the worker has not seen is our own work, not the sender's: waited for longer.
      const timer = setTimeout(() => {
        this.#stop('refused')
      }, START_MS)
      running.waiting = { id, answer, timer }
    })
    const now = sender.clock.now()
    running.worker.postMessage({ type: 'check', id, documentId, heads, changes, sender: sender.identity, now })
    return answered
  }

  #sendRoot(worker: ViewerCheckWorker, documentId: string, root: Root, heads: readonly string[]): void {
    const known = this.#sent.get(documentId)
    this.#sent.delete(documentId)
    this.#sent.set(documentId, heads)
    for (const oldest of this.#sent.keys()) {
      if (this.#sent.size <= TRACKED_ROOTS) break
      this.#sent.delete(oldest)
    }
    if (known !== undefined && sameHeads(known, heads)) return
    let since: Uint8Array | undefined
    try {
      since = known === undefined ? undefined : saveSince(root, [...known])
    } catch {
      // Heads the root no longer names: the whole root instead.
    }
    const bytes = since ?? save(root)
    worker.postMessage({ type: 'root', documentId, bytes, whole: since === undefined })
  }

  #start(): Running {
    const worker = this.#options.spawn()
    const running: Running = { worker }
    worker.addEventListener('message', ({ data }) => {
      const waiting = running.waiting
      if (waiting?.id !== data.id) return
      clearTimeout(waiting.timer)
      if (data.type === 'started') {
        waiting.timer = setTimeout(() => {
          this.#stop('late')
        }, this.#deadlineMs)
        return
      }
      running.waiting = undefined
      waiting.answer(data.verdict)
    })
    // A worker that cannot start or breaks answers nothing more: refused, and the next check starts a new one.
    worker.addEventListener('error', () => {
      if (this.#running === running) this.#stop('refused')
    })
    worker.postMessage({ type: 'init', wasmUrl: this.#options.wasmUrl })
    this.#sent.clear()
    return running
  }

  #stop(answer: Answer): void {
    const running = this.#running
    if (running === undefined) return
    this.#running = undefined
    running.worker.terminate()
    clearTimeout(running.waiting?.timer)
    running.waiting?.answer(answer)
    running.waiting = undefined
  }
}
