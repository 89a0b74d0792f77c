import { describe, expect, it } from 'vitest'
import { SORT_FIELDS } from '../query/query'
import { CURRENT_VERSION, isObjectType, OBJECT_TYPE_SPECS, specOf } from './object-type-specs'
import { OBJECT_TYPES } from './object-types'

describe('object type specs', () => {
  it('describe every object type, and only those', () => {
    expect(Object.keys(OBJECT_TYPE_SPECS).sort()).toEqual([...OBJECT_TYPES].sort())
    for (const type of OBJECT_TYPES) {
      expect(CURRENT_VERSION[type]).toBe(specOf(type).version)
      expect(specOf(type).sortFields.every((field) => SORT_FIELDS.includes(field))).toBe(true)
    }
  })

  it('say what the index keeps of each type', () => {
    expect(OBJECT_TYPE_SPECS.note.index({ title: 'Plan', text: 'automerge:abc' })).toEqual({
      title: 'Plan',
      textDocument: 'automerge:abc',
    })
    expect(OBJECT_TYPE_SPECS.task.index({ title: 'Buy', done: false, order: 'a0' })).toEqual({
      title: 'Buy',
      order: 'a0',
    })
  })

  it('know no other type', () => {
    expect(['note', 'task'].map(isObjectType)).toEqual([true, true])
    expect(['widget', '__proto__', 'toString', 1, undefined].map(isObjectType)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ])
  })
})
