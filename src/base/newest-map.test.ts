import { describe, expect, it } from 'vitest'
import { keepNewest } from './newest-map'

describe('keepNewest', () => {
  it('keeps the most recently set keys, letting go of the oldest past the limit', () => {
    const map = new Map<string, number>()
    for (const [key, value] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      keepNewest(map, key, value, 2)
    expect([...map]).toEqual([
      ['b', 2],
      ['c', 3],
    ])
    // Set again, a key becomes the newest: the other one goes first.
    keepNewest(map, 'b', 20, 2)
    keepNewest(map, 'd', 4, 2)
    expect([...map]).toEqual([
      ['b', 20],
      ['d', 4],
    ])
  })
})
