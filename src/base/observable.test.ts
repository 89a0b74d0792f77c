import { describe, expect, it } from 'vitest'
import { Cell, until } from './observable'

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

describe('until', () => {
  it('resolves true at once or on the change that makes it hold, and false when aborted first', async () => {
    const cell = new Cell(1)
    expect(await until(cell, (value) => value === 1, new AbortController().signal)).toBe(true)
    const later = until(cell, (value) => value === 3, new AbortController().signal)
    cell.set(2)
    cell.set(3)
    expect(await later).toBe(true)
    const controller = new AbortController()
    const never = until(cell, (value) => value === 9, controller.signal)
    controller.abort()
    expect(await never).toBe(false)
  })
})
