import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidOrderKey, isOrderKey, ORDER_KEY_MAX_LENGTH, orderBetween, ordersBetween } from './fractional-index'

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
      { seed: 62 },
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

  it('goes just after tied neighbours, before the next key that does not start with them', () => {
    // Two peers gave two tasks 'a1V'; the next task is 'a1X'. The old code jumped to 'a2', past 'a1X'.
    const between = orderBetween('a1V', 'a1V')
    expect('a1V' < between && between < 'a1W' && isOrderKey(between)).toBe(true)
    expect(orderBetween('a2', 'a1') > 'a2').toBe(true)
  })

  it('refuses a string that is not a key with InvalidOrderKey, never the library error', () => {
    const smallest = `A${'0'.repeat(26)}`
    expect(isOrderKey(smallest)).toBe(false)
    for (const bad of ['', 'a0!', 'a00', 'b1', smallest, 'a0\u00ff']) {
      expect(() => orderBetween(bad)).toThrow(InvalidOrderKey)
      expect(() => orderBetween(undefined, bad)).toThrow(InvalidOrderKey)
      expect(() => orderBetween('a0', bad)).toThrow(InvalidOrderKey)
    }
    fc.assert(
      fc.property(
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        (low, high) => {
          try {
            const key = orderBetween(low, high)
            expect(isOrderKey(key)).toBe(true)
            if (low !== undefined) expect(key > low).toBe(true)
            if (low !== undefined && high !== undefined && low < high) expect(key < high).toBe(true)
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidOrderKey)
          }
        },
      ),
      { seed: 10, numRuns: 2000 },
    )
  })
})

describe('the smallest keys', () => {
  it('makes a valid key below the integer just over the smallest, and below any key there is', () => {
    const smallest = `A${'0'.repeat(26)}`
    const justOver = `A${'0'.repeat(25)}1`
    for (const high of [justOver, `${smallest}V`, `${smallest}01`, `${smallest}0001`]) {
      const key = orderBetween(undefined, high)
      expect(isOrderKey(key) && key < high).toBe(true)
      expect(ordersBetween(undefined, high, 5).every((made) => isOrderKey(made) && made < high)).toBe(true)
    }
  })
})

describe('key length', () => {
  it('refuses a key longer than the limit', () => {
    expect(isOrderKey(`a0${'V'.repeat(ORDER_KEY_MAX_LENGTH - 2)}`)).toBe(true)
    expect(isOrderKey(`a0${'V'.repeat(ORDER_KEY_MAX_LENGTH - 1)}`)).toBe(false)
    expect(() => orderBetween(`a0${'V'.repeat(1_000_000)}`)).toThrow(InvalidOrderKey)
  })
})

const keyArbitrary = fc.array(fc.nat(), { maxLength: 40 }).map((positions) => insertAll(positions))

describe('ordersBetween', () => {
  it('makes that many distinct valid keys in order, after low and before a higher high', () => {
    fc.assert(
      fc.property(keyArbitrary, fc.nat(), fc.nat(), fc.nat({ max: 40 }), (keys, i, j, count) => {
        const pick = (n: number) => (n % (keys.length + 2) < keys.length ? keys[n % (keys.length + 2)] : undefined)
        const low = pick(i)
        const high = pick(j)
        const made = ordersBetween(low, high, count)
        expect(made).toHaveLength(count)
        expect(made.every(isOrderKey)).toBe(true)
        expect(made.every((key, k) => k === 0 || (made[k - 1] ?? '') < key)).toBe(true)
        if (low !== undefined) expect(made.every((key) => key > low)).toBe(true)
        if (high !== undefined && (low === undefined || low < high)) expect(made.every((key) => key < high)).toBe(true)
      }),
      { seed: 1126, numRuns: 500 },
    )
  })

  it('gives a run of 1,000 tied tasks keys no longer than a few characters', () => {
    const made = ordersBetween('a0', 'a1', 1000)
    expect(Math.max(...made.map((key) => key.length))).toBeLessThanOrEqual(4)
  })
})

/**
 * Keys made by the hand-written code this library replaced (run on 2026-11-26:
 * appends, prepends, inserts, one gap halved twelve times, a tie), plus two
 * version 1 migration keys. Stored tasks carry keys like these.
 */
const OLD_KEYS = (
  'Yzp Zx Zx7 ZxB ZxF ZxV Zy Zy7 ZyB ZyF ZyV Zz ZzV a0 a000loyw3v28V a000mif8n400V a0V a1 a1F a1J a1K a1KF a1KJ a1KK ' +
  'a1KL a1KN a1KV a1L a1N a1V a2 a3 b0B'
).split(' ')

describe('keys stored by the old code', () => {
  it('stay valid and in order, and new keys between them sort between them', () => {
    expect(OLD_KEYS.every(isOrderKey)).toBe(true)
    expect([...OLD_KEYS].sort()).toEqual(OLD_KEYS)
    const neighbours = [undefined, ...OLD_KEYS, undefined]
    for (let i = 0; i + 1 < neighbours.length; i++) {
      const low = neighbours[i]
      const high = neighbours[i + 1]
      const key = orderBetween(low, high)
      expect(isOrderKey(key)).toBe(true)
      expect((low === undefined || low < key) && (high === undefined || key < high)).toBe(true)
    }
  })
})
