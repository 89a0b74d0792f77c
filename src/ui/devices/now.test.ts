import { createRoot } from 'solid-js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createNow } from './now'

afterEach(() => {
  vi.useRealTimers()
})

describe('createNow', () => {
  it('ticks with the clock and stops when its owner is disposed', () => {
    vi.useFakeTimers()
    let clock = 1_000
    createRoot((dispose) => {
      const now = createNow(10_000, () => clock)
      expect(now()).toBe(1_000)
      clock = 11_000
      vi.advanceTimersByTime(10_000)
      expect(now()).toBe(11_000)
      dispose()
      clock = 21_000
      vi.advanceTimersByTime(10_000)
      expect(now()).toBe(11_000)
      expect(vi.getTimerCount()).toBe(0)
    })
  })
})
