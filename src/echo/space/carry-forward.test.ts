// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { openTestEcho } from '../testing/fixtures'
import { toJS } from '@automerge/automerge/slim'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Echo } from '../echo'
import { carryForward } from './carry-forward'
import type { ObjectsDoc } from './documents'
import { toPlain, toStored } from './documents'
import { documentsOf } from '../testing/internals'

const fieldsOf = (doc: ObjectsDoc, id: string) => (doc.objects[id] as { fields: Record<string, unknown> }).fields

// Property runs build two documents per case: seconds on a loaded 2-core machine.
describe('carryForward', { timeout: 30_000 }, () => {
  it('moves keys changed in the old document since the snapshot, keeps the fresh side where both changed, and is idempotent', async () => {
    const echo = openTestEcho()
    const old = documentsOf(echo).create<ObjectsDoc>({ kind: 'commonplace/objects', space: 's', objects: {} })
    old.change((doc) => {
      doc.objects.x = toStored({ id: 'x', fields: { title: 'base', done: false }, updatedAt: 1 })
    })
    const since = [...old.heads()]
    const fresh = documentsOf(echo).create<ObjectsDoc>(toJS(old.doc()))
    old.change((doc) => {
      const fields = fieldsOf(doc, 'x')
      fields.title = toStored('old side')
      fields.done = true
      doc.objects.y = toStored({ id: 'y', fields: { title: 'made late' }, updatedAt: 2 })
    })
    fresh.change((doc) => {
      fieldsOf(doc, 'x').title = toStored('fresh side')
    })

    expect(carryForward(old, since, fresh)).toBe(2)
    expect(toPlain(fresh.doc().objects)).toEqual({
      x: { id: 'x', fields: { title: 'fresh side', done: true }, updatedAt: 1 },
      y: { id: 'y', fields: { title: 'made late' }, updatedAt: 2 },
    })
    expect(carryForward(old, since, fresh)).toBe(0)
    expect(carryForward(old, [...old.heads()], fresh)).toBe(0)
    await echo.close()
  })

  // Three states of a small objects map: at the snapshot, in the old document later, in the fresh one later.
  const record = fc.record({ title: fc.constantFrom('a', 'b', 'c'), done: fc.boolean() })
  const state = fc.dictionary(fc.constantFrom('x', 'y', 'z'), record)
  type State = Record<string, { title: string; done: boolean }>
  const objectsOf = (fields: State) =>
    Object.fromEntries(Object.entries(fields).map(([id, f]) => [id, { id, fields: f }]))
  const setTo = (doc: ObjectsDoc, target: Record<string, unknown>) => {
    for (const id of Object.keys(doc.objects)) if (!(id in target)) Reflect.deleteProperty(doc.objects, id)
    for (const [id, value] of Object.entries(target)) {
      const current = JSON.stringify(toPlain(doc.objects[id]))
      if (current !== JSON.stringify(value)) doc.objects[id] = toStored(value)
    }
  }
  const run = (echo: Echo, base: State, theirs: State, ours: State | undefined) => {
    const old = documentsOf(echo).create<ObjectsDoc>({ kind: 'commonplace/objects', space: 's', objects: {} })
    old.change((doc) => setTo(doc, objectsOf(base)))
    const since = [...old.heads()]
    const fresh = documentsOf(echo).create<ObjectsDoc>(toJS(old.doc()))
    old.change((doc) => setTo(doc, objectsOf(theirs)))
    if (ours !== undefined) fresh.change((doc) => setTo(doc, objectsOf(ours)))
    const first = carryForward(old, since, fresh)
    const after = toPlain(fresh.doc().objects)
    return { first, after, again: carryForward(old, since, fresh), still: toPlain(fresh.doc().objects) }
  }

  it('moves the whole late state when the fresh document was left alone, and is idempotent (property)', async () => {
    const echo = openTestEcho()
    fc.assert(
      fc.property(state, state, (base, theirs) => {
        const { after, again, still } = run(echo, base, theirs, undefined)
        expect(after).toEqual(objectsOf(theirs))
        expect([again, still]).toEqual([0, after])
      }),
      { seed: 0xca77, numRuns: 60 },
    )
    await echo.close()
  })

  it('keeps every value the fresh document changed since the snapshot (property)', async () => {
    const echo = openTestEcho()
    fc.assert(
      fc.property(state, state, state, (base, theirs, ours) => {
        const { after, again, still } = run(echo, base, theirs, ours)
        const result = after as Record<string, { fields: Record<string, unknown> } | undefined>
        for (const [id, mine] of Object.entries(ours)) {
          const before = base[id]
          if (before === undefined) expect(result[id]?.fields).toEqual(mine)
          else {
            for (const key of ['title', 'done'] as const) {
              if (mine[key] !== before[key]) expect(result[id]?.fields[key]).toEqual(mine[key])
            }
          }
        }
        expect([again, still]).toEqual([0, after])
      }),
      { seed: 0xf4e5, numRuns: 60 },
    )
    await echo.close()
  })
})
