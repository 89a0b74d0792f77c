import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isOrderKey, orderBetween } from './fractional-index'

/** Inserts keys at random positions of a list, as people reordering tasks would. */
const insertAll = (positions: readonly number[]): string[] => {
  const keys: string[] = []
  for (const position of positions) {
    const at = position % (keys.length + 1)
    keys.splice(at, 0, orderBetween(keys[at - 1], keys[at]))
  }
  return keys
}

describe('orderBetween', () => {
  it('keeps any sequence of insertions valid and in order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 200 }), (positions) => {
        const keys = insertAll(positions)
        expect(keys.every(isOrderKey)).toBe(true)
        expect([...keys].sort()).toEqual(keys)
        expect(new Set(keys).size).toBe(keys.length)
      }),
    )
  })

  it('grows keys with the logarithm of the list when appending or prepending 100,000 times', () => {
    let last = orderBetween()
    let first = last
    for (let i = 0; i < 100_000; i++) {
      const next = orderBetween(last)
      const previous = orderBetween(undefined, first)
      expect(next > last && previous < first).toBe(true)
      last = next
      first = previous
    }
    expect([last.length, first.length]).toEqual([4, 4])
  })

  it('keeps inserting into one gap without running out', () => {
    const low = orderBetween()
    let high = orderBetween(low)
    for (let i = 0; i < 500; i++) {
      const gap = orderBetween(low, high)
      expect(low < gap && gap < high && isOrderKey(gap)).toBe(true)
      high = gap
    }
    // Halving one gap adds about one character per log2(62) = 6 insertions.
    expect(high.length).toBeLessThan(500 / 5 + 10)
  })

  it('places a key after the first when neighbours collide, and refuses malformed keys', () => {
    expect(orderBetween('a1', 'a1') > 'a1').toBe(true)
    expect(['', 'V', 'a', 'a00', 'b1', 'a0!'].map(isOrderKey)).toEqual([false, false, false, false, false, false])
    expect(['a0', 'a0V', 'b12', 'Zz'].map(isOrderKey)).toEqual([true, true, true, true])
  })
})
