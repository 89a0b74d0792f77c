import { describe, expect, it } from 'vitest'
import type { ObjectId } from '../ids'
import type { EchoObject } from '../schema/echo-object'
import type { Pending } from './overlay'
import { overlaid, overlayApplies } from './overlay'

const id = (n: number): ObjectId => n.toString(16).padStart(32, '0') as ObjectId

const task = (
  n: number,
  order: string,
  extra: { title?: string; done?: boolean; deleted?: true } = {},
): EchoObject => ({
  id: id(n),
  type: 'task',
  version: 2,
  fields: { title: extra.title ?? `task ${n}`, done: extra.done ?? false, order },
  createdAt: n,
  updatedAt: n,
  ...(extra.deleted ? { deleted: true } : {}),
})

const note = (n: number): EchoObject => ({
  id: id(n),
  type: 'note',
  version: 1,
  fields: { title: `note ${n}`, text: 'automerge:probe' },
  createdAt: n,
  updatedAt: n,
})

const pending = (...objects: [number, EchoObject | undefined][]): Map<string, Pending> =>
  new Map(objects.map(([n, object]) => [id(n), { doc: 'doc', object }]))

const byOrder = { type: 'task', sort: { by: 'order' } } as const
const titles = (objects: readonly EchoObject[]) => objects.map((object) => object.fields.title)

describe('a list overlaid with objects its documents changed', () => {
  const indexed = [task(1, 'a0'), task(2, 'a1'), task(3, 'a2')]

  it('shows a changed object where its new fields put it', () => {
    const moved = overlaid(indexed, pending([1, task(1, 'a3', { title: 'renamed' })]), byOrder)
    expect(titles(moved)).toEqual(['task 2', 'task 3', 'renamed'])
  })

  it('leaves out an object deleted, gone or quarantined (undefined) and one the query does not ask for', () => {
    const shown = overlaid(
      indexed,
      pending([1, task(1, 'a0', { deleted: true })], [2, undefined], [9, note(9)]),
      byOrder,
    )
    expect(titles(shown)).toEqual(['task 3'])
    const trash = overlaid([], pending([1, task(1, 'a0', { deleted: true })]), { ...byOrder, deleted: 'only' })
    expect(titles(trash)).toEqual(['task 1'])
  })

  it('adds an object new to the list, filtered by `where`, ties by id as the index', () => {
    const added = overlaid(indexed, pending([0, task(0, 'a1')], [4, task(4, 'a1', { done: true })]), {
      ...byOrder,
      where: { done: false },
    })
    expect(titles(added)).toEqual(['task 1', 'task 0', 'task 2', 'task 3'])
  })

  it('sorts by title case-insensitively and by updatedAt newest first by default', () => {
    const byTitle = overlaid(indexed, pending([2, task(2, 'a1', { title: 'A first' })]), {
      type: 'task',
      sort: { by: 'title' },
    })
    expect(titles(byTitle)).toEqual(['A first', 'task 1', 'task 3'])
    const newest = overlaid([task(3, 'a2'), task(1, 'a0')], pending([1, { ...task(1, 'a0'), updatedAt: 9 }]), {})
    expect(titles(newest)).toEqual(['task 1', 'task 3'])
  })

  it('applies to whole lists only: not to a search (a note text is not in its object) nor a limited list', () => {
    expect(overlayApplies(byOrder)).toBe(true)
    expect(overlayApplies({ ...byOrder, text: '  ' })).toBe(true)
    expect(overlayApplies({ ...byOrder, text: 'milk' })).toBe(false)
    expect(overlayApplies({ ...byOrder, limit: 1 })).toBe(false)
  })
})
