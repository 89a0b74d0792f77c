import { describe, expect, it } from 'vitest'
import { Cell } from './observable'

describe('Cell', () => {
  it('notifies listeners of changes only, until they unsubscribe', () => {
    const cell = new Cell(1)
    const seen: number[] = []
    const stop = cell.subscribe((value) => seen.push(value))
    cell.set(1)
    cell.set(2)
    stop()
    cell.set(3)
    expect(seen).toEqual([2])
    expect(cell.get()).toBe(3)
  })

  it('lets a listener unsubscribe itself while being notified', () => {
    const cell = new Cell('a')
    const seen: string[] = []
    const stop = cell.subscribe((value) => {
      seen.push(value)
      stop()
    })
    cell.subscribe((value) => seen.push(`second:${value}`))
    cell.set('b')
    cell.set('c')
    expect(seen).toEqual(['b', 'second:b', 'second:c'])
  })
})
