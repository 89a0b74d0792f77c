/** The longest main-thread task (PerformanceObserver 'longtask': 50 ms and over) while a measure runs. */
export class LongTasks {
  readonly #observer: PerformanceObserver
  #longest = 0
  #count = 0

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        this.#count++
        this.#longest = Math.max(this.#longest, entry.duration)
      }
    })
    this.#observer.observe({ type: 'longtask', buffered: false })
  }

  /** Stops observing; `longestTaskMs` is 0 when no task reached 50 ms. */
  stop(): { longestTaskMs: number; longTasks: number } {
    for (const entry of this.#observer.takeRecords()) {
      this.#count++
      this.#longest = Math.max(this.#longest, entry.duration)
    }
    this.#observer.disconnect()
    return { longestTaskMs: this.#longest, longTasks: this.#count }
  }
}
