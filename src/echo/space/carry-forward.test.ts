// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { openTestEcho } from '../testing/fixtures'
import { toJS } from '@automerge/automerge/slim'
import { describe, expect, it } from 'vitest'
import { carryForward } from './carry-forward'
import type { ObjectsDoc } from './documents'
import { toPlain, toStored } from './documents'

const fieldsOf = (doc: ObjectsDoc, id: string) => (doc.objects[id] as { fields: Record<string, unknown> }).fields

describe('carryForward', () => {
  it('moves keys changed in the old document since the snapshot, keeps the fresh side where both changed, and is idempotent', async () => {
    const echo = openTestEcho()
    const old = echo.documents.create<ObjectsDoc>({ kind: 'commonplace/objects', space: 's', objects: {} })
    old.change((doc) => {
      doc.objects.x = toStored({ id: 'x', fields: { title: 'base', done: false }, updatedAt: 1 })
    })
    const since = [...old.heads()]
    const fresh = echo.documents.create<ObjectsDoc>(toJS(old.doc()))
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
})
