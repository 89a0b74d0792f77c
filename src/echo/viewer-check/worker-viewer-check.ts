/**
 * Viewer checks in a worker (viewer-check-host.ts), one at a time. Loading a viewer's changes cannot be stopped
 * part way, and 3 KB can hold three million operations (seconds to load): a check that runs past `deadlineMs` is
 * refused and the worker stopped (a new one starts for the next check). A sender whose check ran out of time, whose
 * refusals took over a second of a minute, or that broke the worker is costly: its changes are refused unchecked for
 * the next 10 minutes, so it cannot keep the worker busy while honest viewers' checks wait behind it. The worker
 * keeps copies of the roots it judged against; each is sent again only as what changed since, and the worker is let
 * go when idle for a minute.
 */
import { getHeads, save, saveSince } from '@automerge/automerge/slim'
import { keepNewest, type Trace } from '../../base'
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
   * How long one check may run (ms): an honest one adds at most 8 entries of a few hundred operations (a few ms);
   * three million crafted operations take seconds.
   */
  readonly deadlineMs?: number
  /** The worker time (ms) one sender's refused changes may cost per minute before it is costly (tests use 0). */
  readonly refusalBudgetMs?: number
  /** Where a costly sender is told (`viewer-check-costly`, with the sender and why). */
  readonly trace?: Trace
}

/** Roots whose copy in the worker is tracked; the worker keeps as many, in the same order (viewer-check-host.ts). */
const TRACKED_ROOTS = 8
/** Senders remembered at once, costly or spending (the oldest forgotten), and how long one stays costly (ms). */
const REMEMBERED_COSTLY = 256
const COSTLY_FOR_MS = 10 * 60_000
/**
 * What one sender's refused changes may cost the worker per minute (ms): an honest viewer's changes take a few ms to
 * judge, and a former editor's edits, refused, a few hundred (131 ms for 23 KB in a review).
 */
const REFUSAL_BUDGET_MS = 1_000
const REFUSAL_WINDOW_MS = 60_000
/** How long a check may take to start (ms): the worker's wasm, and a root it has not seen, loaded first. */
const START_MS = 30_000
/** A deadline timer this late (ms) means the page itself was held (frozen, or busy): nobody is blamed. */
const STALLED_MS = 1_000
/** A worker with nothing to judge for this long (ms) is let go, with the memory its loads took. */
const IDLE_MS = 60_000

/** Why a sender is costly, or what the worker said. */
type Answer = ViewerCheckVerdict | 'late' | 'slow' | 'broke'

interface Answered {
  readonly answer: Answer
  /** How long the worker took to judge (ms). */
  readonly ms: number
}

interface Waiting {
  readonly id: number
  readonly answer: (answer: Answer, ms?: number) => void
  timer: ReturnType<typeof setTimeout>
  /** When the check started in the worker (`performance.now()`); undefined before. */
  startedAt?: number
}

interface Running {
  readonly worker: ViewerCheckWorker
  waiting?: Waiting | undefined
  idle?: ReturnType<typeof setTimeout> | undefined
}

export class WorkerViewerCheck implements ViewerChangeCheck {
  readonly #options: WorkerViewerCheckOptions
  readonly #deadlineMs: number
  readonly #refusalBudgetMs: number
  /** What the worker holds of each root: the heads last sent, in the order they were sent. */
  readonly #sent = new Map<string, readonly string[]>()
  /** Costly senders, and when they were found so (the sender's clock). */
  readonly #costly = new Map<PublicKey, number>()
  /** What each sender's refused changes cost the worker (ms) since a time (the sender's clock). */
  readonly #refusals = new Map<PublicKey, { readonly since: number; ms: number }>()
  #running: Running | undefined
  #turn: Promise<unknown> = Promise.resolve()
  #nextId = 0
  #closed = false

  constructor(options: WorkerViewerCheckOptions) {
    this.#options = options
    this.#deadlineMs = options.deadlineMs ?? 2_000
    this.#refusalBudgetMs = options.refusalBudgetMs ?? REFUSAL_BUDGET_MS
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
    const now = sender.clock.now()
    const found = this.#costly.get(sender.identity)
    // A clock set back does not make the wait longer.
    if (found !== undefined && now >= found && now - found < COSTLY_FOR_MS) return false
    this.#costly.delete(sender.identity)
    let { answer, ms } = await this.#ask(documentId, root, changes, sender)
    // The worker lost its copy (a new worker, or one it let go): sent whole, once more.
    if (answer === 'stale') {
      this.#sent.delete(documentId)
      ;({ answer, ms } = await this.#ask(documentId, root, changes, sender))
    }
    if (answer === 'refused' && this.#spend(sender.identity, now, ms)) answer = 'slow'
    if (answer === 'late' || answer === 'slow' || answer === 'broke') {
      keepNewest(this.#costly, sender.identity, now, REMEMBERED_COSTLY)
      this.#options.trace?.('viewer-check-costly', { sender: sender.identity, why: answer })
    }
    return answer === 'passes'
  }

  /** Counts `ms` of refusal against `sender`'s minute: true once it spent its budget. */
  #spend(sender: PublicKey, now: number, ms: number): boolean {
    const last = this.#refusals.get(sender)
    const fresh = last === undefined || now < last.since || now - last.since >= REFUSAL_WINDOW_MS
    const spent = fresh ? { since: now, ms: 0 } : last
    spent.ms += ms
    keepNewest(this.#refusals, sender, spent, REMEMBERED_COSTLY)
    return spent.ms >= this.#refusalBudgetMs
  }

  #ask(documentId: string, root: Root, changes: readonly Uint8Array[], sender: Sender): Promise<Answered> {
    if (this.#closed) return Promise.resolve({ answer: 'refused', ms: 0 })
    const running = (this.#running ??= this.#start())
    clearTimeout(running.idle)
    const heads = getHeads(root)
    this.#sendRoot(running.worker, documentId, root, heads)
    const id = ++this.#nextId
    const answered = new Promise<Answered>((resolve) => {
      // Loading a root the worker has not seen is our own work, not the sender's: waited for longer.
      const timer = setTimeout(() => {
        this.#stop('refused')
      }, START_MS)
      running.waiting = { id, answer: (answer, ms = 0) => resolve({ answer, ms }), timer }
    })
    const now = sender.clock.now()
    running.worker.postMessage({ type: 'check', id, documentId, heads, changes, sender: sender.identity, now })
    return answered
  }

  #sendRoot(worker: ViewerCheckWorker, documentId: string, root: Root, heads: readonly string[]): void {
    const known = this.#sent.get(documentId)
    if (known !== undefined && sameHeads(known, heads)) return
    let since: Uint8Array | undefined
    try {
      since = known === undefined ? undefined : saveSince(root, [...known])
    } catch {
      // Heads the root no longer names: the whole root instead.
    }
    const bytes = since ?? save(root)
    worker.postMessage({ type: 'root', documentId, bytes, whole: since === undefined })
    // Kept in the order the worker receives them, so both let the same root go first.
    keepNewest(this.#sent, documentId, heads, TRACKED_ROOTS)
  }

  #start(): Running {
    const worker = this.#options.spawn()
    const running: Running = { worker }
    worker.addEventListener('message', ({ data }) => {
      const waiting = running.waiting
      if (waiting?.id !== data.id) return
      clearTimeout(waiting.timer)
      if (data.type === 'started') {
        const startedAt = performance.now()
        waiting.startedAt = startedAt
        waiting.timer = setTimeout(() => {
          this.#stop(performance.now() - startedAt > this.#deadlineMs + STALLED_MS ? 'refused' : 'late')
        }, this.#deadlineMs)
        return
      }
      running.waiting = undefined
      waiting.answer(data.verdict, data.ms)
      running.idle = setTimeout(() => {
        if (this.#running === running && running.waiting === undefined) this.#stop('refused')
      }, IDLE_MS)
    })
    // A worker that breaks answers nothing more: the next check starts a new one. Broken by a check, its sender is
    // costly; before one started (its script or wasm did not load), nobody is.
    worker.addEventListener('error', () => {
      if (this.#running === running) this.#stop(running.waiting?.startedAt === undefined ? 'refused' : 'broke')
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
    clearTimeout(running.idle)
    clearTimeout(running.waiting?.timer)
    running.waiting?.answer(answer)
    running.waiting = undefined
  }
}
