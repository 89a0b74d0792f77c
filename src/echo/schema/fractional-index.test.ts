import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isOrderKey, orderBetween } from './fractional-index'

describe('orderBetween', () => {
  it('makes a valid key strictly between any two distinct keys, and at both ends', () => {
    const key = fc.stringMatching(/^[0-9A-Za-z]{0,6}[1-9A-Za-z]$/)
    fc.assert(
      fc.property(key, key, (x, y) => {
        fc.pre(x !== y)
        const [low, high] = x < y ? [x, y] : [y, x]
        const middle = orderBetween(low, high)
        expect(isOrderKey(middle)).toBe(true)
        expect(low < middle && middle < high).toBe(true)
        expect(orderBetween(undefined, low) < low).toBe(true)
        expect(orderBetween(high) > high).toBe(true)
      }),
    )
  })

  it('keeps inserting at the front, the back and in one gap without running out', () => {
    let first = orderBetween()
    let last = first
    const low = first
    let high = orderBetween(first)
    for (let i = 0; i < 500; i++) {
      const front = orderBetween(undefined, first)
      const back = orderBetween(last)
      const gap = orderBetween(low, high)
      expect([front < first, back > last, low < gap && gap < high]).toEqual([true, true, true])
      first = front
      last = back
      high = gap
    }
    // Halving one gap adds about one character per log2(62) = 6 insertions.
    expect(high.length).toBeLessThan(500 / 5 + 10)
  })

  it('places a key after `before` when neighbours collide', () => {
    expect(orderBetween('V', 'V') > 'V').toBe(true)
  })
})
