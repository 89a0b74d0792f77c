import { createComputed, createRoot } from 'solid-js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createNow } from './now'

afterEach(() => {
  vi.useRealTimers()
})

describe('createNow', () => {
  it('re-runs its readers on each tick and stops when its owner is disposed', () => {
    vi.useFakeTimers()
    let clock = 1_000
    createRoot((dispose) => {
      const now = createNow(10_000, () => clock)
      const seen: number[] = []
      createComputed(() => seen.push(now()))
      expect(seen).toEqual([1_000])
      clock = 11_000
      vi.advanceTimersByTime(10_000)
      expect(seen).toEqual([1_000, 11_000])
      dispose()
      clock = 21_000
      vi.advanceTimersByTime(10_000)
      expect(seen).toEqual([1_000, 11_000])
      expect(vi.getTimerCount()).toBe(0)
    })
  })

  it('reads the clock when read, not at the last tick', () => {
    vi.useFakeTimers()
    let clock = 1_000
    createRoot((dispose) => {
      const now = createNow(30_000, () => clock)
      clock = 20_000
      expect(now()).toBe(20_000)
      dispose()
    })
  })
})
