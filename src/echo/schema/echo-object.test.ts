import { describe, expect, it } from 'vitest'
import { checkFields, validateObject } from './echo-object'
import { ORDER_KEY_MAX_LENGTH, orderBetween } from './fractional-index'

const id = '0123456789abcdef0123456789abcdef'
const envelope = { id, createdAt: 1000, updatedAt: 2000 }
const reasonOf = (raw: unknown) => {
  const result = validateObject(raw)
  return result.ok ? 'ok' : result.error.reason
}

describe('validateObject', () => {
  it('accepts current notes and tasks as they are', () => {
    const note = { ...envelope, type: 'note', version: 1, fields: { title: 'Hi', text: 'automerge:abc' } }
    const task = {
      ...envelope,
      type: 'task',
      version: 2,
      fields: { title: 'T', done: false, order: 'a0' },
      deleted: true,
    }
    expect(validateObject(note)).toEqual({ ok: true, value: note })
    expect(validateObject(task)).toEqual({ ok: true, value: task })
  })

  it('migrates a version 1 task to version 2 with an order that follows creation time', () => {
    const v1 = (createdAt: number) => ({
      ...envelope,
      createdAt,
      type: 'task',
      version: 1,
      fields: { title: 'Old', done: true, due: '2026-12-01' },
    })
    const early = validateObject(v1(1000))
    const late = validateObject(v1(5000))
    expect(early.ok && late.ok).toBe(true)
    if (!early.ok || !late.ok || early.value.type !== 'task' || late.value.type !== 'task') return
    expect(early.value.version).toBe(2)
    expect(early.value.fields).toMatchObject({ title: 'Old', done: true, due: '2026-12-01' })
    expect(early.value.fields.order < late.value.fields.order).toBe(true)
    const between = orderBetween(early.value.fields.order, late.value.fields.order)
    expect(checkFields('task', { title: 'new', done: false, order: between }).ok).toBe(true)
  })

  it('quarantines what it cannot trust, with a reason', () => {
    expect(reasonOf('text')).toBe('invalid-envelope')
    expect(reasonOf({ ...envelope, id: 'x', type: 'note', version: 1, fields: {} })).toBe('invalid-envelope')
    expect(reasonOf({ ...envelope, type: 'poll', version: 1, fields: {} })).toBe('unknown-type')
    expect(reasonOf({ ...envelope, type: 'task', version: 3, fields: {} })).toBe('newer-version')
    expect(reasonOf({ ...envelope, type: 'task', version: 2, fields: { title: 1 } })).toBe('invalid-fields')
    expect(reasonOf({ ...envelope, type: 'task', version: 1, fields: { done: 'yes' } })).toBe('invalid-fields')
    expect(reasonOf({ ...envelope, type: 'task', version: 2, fields: { title: '', done: false, order: 'a00' } })).toBe(
      'invalid-fields',
    )
  })

  it('quarantines a task whose order key is longer than the limit, or whose due day is not a real day', () => {
    const task = (fields: Record<string, unknown>) =>
      reasonOf({ ...envelope, type: 'task', version: 2, fields: { title: 'T', done: false, order: 'a0', ...fields } })
    expect(task({ order: `a0${'V'.repeat(ORDER_KEY_MAX_LENGTH - 2)}` })).toBe('ok')
    expect(task({ order: `a0${'V'.repeat(ORDER_KEY_MAX_LENGTH - 1)}` })).toBe('invalid-fields')
    expect(task({ order: `a0${'V'.repeat(1_000_000)}` })).toBe('invalid-fields')
    for (const due of ['2024-02-29', '2000-02-29', '2026-04-30', '2026-12-31', '0001-01-01']) {
      expect(task({ due })).toBe('ok')
    }
    for (const due of [
      '2024-02-31',
      '2023-02-29',
      '1900-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
    ]) {
      expect(task({ due })).toBe('invalid-fields')
    }
    expect(
      reasonOf({ ...envelope, type: 'task', version: 1, fields: { title: 'T', done: false, due: '2025-02-29' } }),
    ).toBe('invalid-fields')
  })
})
