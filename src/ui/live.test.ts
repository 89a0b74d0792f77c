import { createRenderEffect, createRoot, createSignal } from 'solid-js'
import { afterEach, describe, expect, it } from 'vitest'
import { Cell } from '../base'
import type { LiveList, Problem } from '../client'
import { createLiveList } from './live'

interface Item {
  readonly id: string
  readonly title: string
}

/** A client live list the test drives by hand, remembering whether it was closed. */
const fakeList = (initial: readonly Item[] | undefined) => {
  const cell = new Cell<readonly Item[] | undefined>(initial)
  const problem = new Cell<Problem | undefined>(undefined)
  let closed = false
  const list: LiveList<Item> = {
    get: () => cell.get(),
    subscribe: (listener) => cell.subscribe(listener),
    problem,
    close: () => {
      closed = true
    },
  }
  return {
    list,
    emit: (items: readonly Item[] | undefined) => cell.set(items),
    fail: (failure: Problem | undefined) => problem.set(failure),
    closed: () => closed,
  }
}

let dispose: (() => void) | undefined
afterEach(() => {
  dispose?.()
  dispose = undefined
})

/** Runs `createLiveList` in a root the test disposes afterwards. */
const follow = (open: () => LiveList<Item> | undefined) =>
  createRoot((disposeRoot) => {
    dispose = disposeRoot
    return createLiveList(open)
  })

describe('createLiveList', () => {
  it('is undefined until the list has a value, then shows it', () => {
    const source = fakeList(undefined)
    const items = follow(() => source.list)
    expect(items()).toBeUndefined()
    source.emit([{ id: 'a', title: 'Milk' }])
    expect(items()).toEqual([{ id: 'a', title: 'Milk' }])
  })

  it('keeps the same item for the same id when its fields change or it moves', () => {
    const source = fakeList([
      { id: 'a', title: 'Milk' },
      { id: 'b', title: 'Bread' },
    ])
    const items = follow(() => source.list)
    const [milk, bread] = items() ?? []
    source.emit([
      { id: 'b', title: 'Bread' },
      { id: 'a', title: 'Oat milk' },
    ])
    const [first, second] = items() ?? []
    expect(first).toBe(bread)
    expect(second).toBe(milk)
    expect(second?.title).toBe('Oat milk')
  })

  it('tells a reader of a field when that field changes', () => {
    const source = fakeList([{ id: 'a', title: 'Milk' }])
    const items = follow(() => source.list)
    const seen: string[] = []
    createRoot(() => {
      const [item] = items() ?? []
      // A render effect runs at once and again on each change of what it read.
      createRenderEffect(() => seen.push(item?.title ?? ''))
    })
    source.emit([{ id: 'a', title: 'Oat milk' }])
    expect(seen).toEqual(['Milk', 'Oat milk'])
  })

  it('drops items that left and adds new ones', () => {
    const source = fakeList([
      { id: 'a', title: 'Milk' },
      { id: 'b', title: 'Bread' },
    ])
    const items = follow(() => source.list)
    source.emit([
      { id: 'b', title: 'Bread' },
      { id: 'c', title: 'Eggs' },
    ])
    expect(items()?.map((item) => item.id)).toEqual(['b', 'c'])
  })

  it('keeps showing the old results while a new list loads, and closes the old list', () => {
    const first = fakeList([{ id: 'a', title: 'Milk' }])
    const second = fakeList(undefined)
    const [search, setSearch] = createSignal('')
    const items = createRoot((disposeRoot) => {
      dispose = disposeRoot
      return createLiveList(() => (search() === '' ? first.list : second.list))
    })
    setSearch('bread')
    expect(first.closed()).toBe(true)
    expect(items()).toEqual([{ id: 'a', title: 'Milk' }])
    second.emit([{ id: 'b', title: 'Bread' }])
    expect(items()).toEqual([{ id: 'b', title: 'Bread' }])
    first.emit([{ id: 'z', title: 'Ignored' }])
    expect(items()).toEqual([{ id: 'b', title: 'Bread' }])
  })

  it('closes the list when its owner is disposed', () => {
    const source = fakeList([])
    follow(() => source.list)
    dispose?.()
    dispose = undefined
    expect(source.closed()).toBe(true)
  })

  it('says why a list could not be read, instead of loading forever', () => {
    const source = fakeList(undefined)
    const items = follow(() => source.list)
    expect(items.problem()).toBeUndefined()
    source.fail({ code: 'storage-failed', message: 'The browser refused to read.' })
    expect(items()).toBeUndefined()
    expect(items.problem()?.message).toBe('The browser refused to read.')
    source.fail(undefined)
    source.emit([{ id: 'a', title: 'Milk' }])
    expect(items.problem()).toBeUndefined()
    expect(items()).toEqual([{ id: 'a', title: 'Milk' }])
  })

  it('starts with the problem of a list that had already failed', () => {
    const source = fakeList(undefined)
    source.fail({ code: 'unexpected', message: 'Something went wrong.' })
    const items = follow(() => source.list)
    expect(items.problem()?.code).toBe('unexpected')
  })

  it('opens nothing while there is nothing to follow', () => {
    const items = follow(() => undefined)
    expect(items()).toBeUndefined()
  })
})
