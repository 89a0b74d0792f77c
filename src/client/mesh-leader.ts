import { Cell, type Observable } from '../base'
import type { ListenerTarget } from './edges'
import type { Locks } from './spaces'

/** Whether this tab holds the profile's connections (`leader`) or syncs through the leader (`follower`). */
export type TabRole = 'leader' | 'follower'

/** One tab of the profile leads; its lock is freed by the browser the moment the tab closes. */
const LEADER_LOCK = 'commonplace/mesh/leader'
/**
 * Held while a mesh runs, from `onLead` until its stop has finished. A stolen leader lock is free at
 * once, while the old leader is still leaving its rooms; the new one waits here, so two meshes never run.
 */
const MESH_LOCK = 'commonplace/mesh/running'

export interface LeadershipEdges {
  readonly locks: Locks
  /** Where `pagehide`/`pageshow` (the window) and `freeze`/`resume` (the document) are announced. */
  readonly page: ListenerTarget
}

export interface LeadershipOptions {
  /** Starts the mesh in this tab; the function it resolves with stops it. */
  onLead(): Promise<() => Promise<void>>
  /** A start or stop that failed (default: the console). */
  onError?: (error: unknown) => void
}

export interface Leadership {
  readonly role: Observable<TabRole>
  /**
   * Leads now, stealing the lock from another tab (a tab handling a `#/join/` link). Resolves true once
   * this tab's `onLead` has started, false if it stopped, was hidden or lost the lead before that.
   */
  takeLead(): Promise<boolean>
  /** Stops the mesh if it runs here, releases the lock and stops listening. Calling it again waits for the first. */
  stop(): Promise<void>
}

/** One attempt to lead: waiting for the lock, then holding it until `end` aborts. */
interface Term {
  readonly end: AbortController
  /** Resolves once this term holds nothing: its mesh stopped and its locks released. */
  readonly finished: Promise<void>
  /** Resolves true once `onLead` started in this term, false if the term ended before. */
  readonly led: Promise<boolean>
  /** Whether it got the leader lock. */
  readonly holding: () => boolean
}

const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve()
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve()
        },
        { once: true },
      )
  })

const ignore = () => undefined

/**
 * Elects one leader tab per browser profile with Web Locks. A visible tab waits for the lock; the holder
 * runs `onLead` and keeps the lock until it is stopped, hidden (`pagehide`, `freeze`) or robbed
 * (`takeLead` in another tab); it then awaits its stop before any tab starts a mesh again.
 */
export const startLeadership = (edges: LeadershipEdges, options: LeadershipOptions): Leadership => {
  const role = new Cell<TabRole>('follower')
  const report =
    options.onError ??
    ((error: unknown) => {
      console.warn('Mesh leadership:', error)
    })
  let hidden = false
  let stopped = false
  /** Set when `onLead` failed: this tab stays out of line until it is shown again or asked to lead. */
  let failed = false
  let current: Term | undefined

  /** Runs the mesh under the mesh lock until `end` aborts, then stops it before releasing the lock. */
  const runMesh = (end: AbortController, led: () => void): Promise<void> =>
    edges.locks.request(MESH_LOCK, { signal: end.signal }, async () => {
      role.set('leader')
      led()
      let stopMesh: (() => Promise<void>) | undefined
      try {
        stopMesh = await options.onLead()
      } catch (error) {
        report(error)
        failed = true
        end.abort()
      }
      await aborted(end.signal)
      role.set('follower')
      // A stop that throws is reported; the locks are released all the same.
      if (stopMesh) await stopMesh().catch(report)
    })

  const begin = (steal: boolean): Term => {
    const end = new AbortController()
    let markLed: (led: boolean) => void = ignore
    const led = new Promise<boolean>((resolve) => {
      markLed = resolve
    })
    let held: Promise<void> | undefined
    const hold = (): Promise<void> => {
      if (end.signal.aborted) return Promise.resolve()
      held = runMesh(end, () => {
        markLed(true)
      }).catch((error: unknown) => {
        // Aborted while waiting for the mesh lock: this term ended before it led.
        if (!end.signal.aborted) report(error)
      })
      return held
    }
    // `steal` cannot go with a signal (the browser refuses it); a steal is granted at once anyway.
    const request = steal
      ? edges.locks.request(LEADER_LOCK, { steal: true }, hold)
      : edges.locks.request(LEADER_LOCK, { signal: end.signal }, hold)
    // The request settles when `hold` is done, when its wait is aborted, or when another tab steals the
    // lock (an AbortError while `hold` still runs). The term is over then: the mesh stops, awaited.
    const finished = request.then(ignore, ignore).then(async () => {
      end.abort()
      await held
      markLed(false)
    })
    const term: Term = { end, finished, led, holding: () => held !== undefined }
    void finished.then(() => {
      if (current !== term) return
      current = undefined
      line()
    })
    return term
  }

  /** A visible tab that is not leading waits in line for the lock. */
  const line = () => {
    if (stopped || hidden || failed || current !== undefined) return
    current = begin(false)
  }

  const hide = () => {
    hidden = true
    current?.end.abort()
  }
  const show = () => {
    hidden = false
    failed = false
    line()
  }
  const listeners = [
    ['pagehide', hide],
    ['freeze', hide],
    ['pageshow', show],
    ['resume', show],
  ] as const
  for (const [type, listener] of listeners) edges.page.addEventListener(type, listener)
  line()

  let stopping: Promise<void> | undefined
  return {
    role,
    takeLead: () => {
      if (stopped || hidden) return Promise.resolve(false)
      failed = false
      if (current?.holding() === true) return current.led
      // A term still waiting in line gives way to one that steals.
      current?.end.abort()
      current = begin(true)
      return current.led
    },
    stop: () =>
      (stopping ??= (async () => {
        stopped = true
        for (const [type, listener] of listeners) edges.page.removeEventListener(type, listener)
        const term = current
        term?.end.abort()
        await term?.finished
      })()),
  }
}
