/** A main-thread task over the target: when it started (ms since the measure began) and how long it took. */
export interface TaskOver {
  readonly atMs: number
  readonly ms: number
}

/** Issue 11's target: no main-thread task over this while a device receives a space. */
const TARGET_MS = 200

/**
 * The longest main-thread task (PerformanceObserver 'longtask': 50 ms and over) while a measure runs, and every task
 * over the target with its time, so a run says when they came (the space's first documents, or its texts).
 */
export class LongTasks {
  readonly #observer: PerformanceObserver
  readonly #started = performance.now()
  readonly #over: TaskOver[] = []
  #longest = 0
  #count = 0

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      this.#take(list.getEntries())
    })
    this.#observer.observe({ type: 'longtask', buffered: false })
  }

  /** Stops observing; `longestTaskMs` is 0 when no task reached 50 ms. */
  stop(): { longestTaskMs: number; longTasks: number; tasksOver200Ms: TaskOver[] } {
    this.#take(this.#observer.takeRecords())
    this.#observer.disconnect()
    return { longestTaskMs: this.#longest, longTasks: this.#count, tasksOver200Ms: [...this.#over] }
  }

  #take(entries: readonly PerformanceEntry[]): void {
    for (const entry of entries) {
      this.#count++
      this.#longest = Math.max(this.#longest, entry.duration)
      if (entry.duration > TARGET_MS)
        this.#over.push({ atMs: Math.round(entry.startTime - this.#started), ms: Math.round(entry.duration) })
    }
  }
}
