import type { Clock } from '../clock'

/** A clock that only moves when told to: tests move time instead of sleeping. */
export class ManualClock implements Clock {
  #now: number

  constructor(start = 0) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  advance(ms: number): void {
    this.#now += ms
  }

  set(ms: number): void {
    this.#now = ms
  }
}
