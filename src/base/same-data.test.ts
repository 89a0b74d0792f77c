import { describe, expect, it } from 'vitest'
import { sameData } from './same-data'

describe('sameData', () => {
  it('compares plain rows field by field, whatever their fields were written in', () => {
    const row = { key: 's/1', words: ['a', 'b'], record: { id: '1', fields: { title: 'x', done: false, n: 2 } } }
    expect(sameData(row, structuredClone(row))).toBe(true)
    expect(sameData(row, { record: row.record, words: ['a', 'b'], key: 's/1' })).toBe(true)
    expect(sameData(row, { ...row, words: ['a'] })).toBe(false)
    expect(sameData(row, { ...row, words: ['b', 'a'] })).toBe(false)
    expect(sameData(row, { ...row, textWaiting: 1 })).toBe(false)
    expect(sameData({ a: undefined }, { b: undefined })).toBe(false)
    expect(sameData({ a: 1 }, [1])).toBe(false)
    expect(sameData([1], { 0: 1, length: 1 })).toBe(false)
  })

  it('tells apart what JSON text would confuse', () => {
    expect(sameData({ n: Number.NaN }, { n: null })).toBe(false)
    expect(sameData({ n: Number.NaN }, { n: Number.NaN })).toBe(true)
    expect(sameData({ n: 0 }, { n: -0 })).toBe(false)
    expect(sameData({ n: undefined }, {})).toBe(false)
    expect(sameData(new Date(0), new Date(0))).toBe(false)
    expect(sameData(new Uint8Array([1]), new Uint8Array([1]))).toBe(false)
  })

  it('reads every place of a sparse array (Array.every skips its holes)', () => {
    const holed: unknown[] = []
    holed[1] = 1
    expect(sameData(holed, [2, 1])).toBe(false)
    expect(sameData([2, 1], holed)).toBe(false)
    expect(sameData(holed, [undefined, 1])).toBe(true)
  })

  it('reads an own __proto__ field as data, not as the prototype', () => {
    const parse = (text: string): unknown => JSON.parse(text)
    expect(sameData(parse('{"__proto__":{"a":1}}'), parse('{"__proto__":{"a":2}}'))).toBe(false)
    expect(sameData(parse('{"__proto__":{"a":1}}'), {})).toBe(false)
  })
})
