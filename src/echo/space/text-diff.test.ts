import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { replacedPart } from './text-diff'

describe('replacedPart', () => {
  it('replaces only what differs between the editor and the document', () => {
    expect(replacedPart('first draft', 'first good draft')).toEqual({ from: 6, to: 6, insert: 'good ' })
    expect(replacedPart('aaa', 'aa')).toEqual({ from: 2, to: 3, insert: '' })
    expect(replacedPart('', 'new')).toEqual({ from: 0, to: 0, insert: 'new' })
    expect(replacedPart('same', 'same')).toEqual({ from: 4, to: 4, insert: '' })
  })

  it('turns any text into any other, touching no more than the middle that differs', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (now, next) => {
        const { from, to, insert } = replacedPart(now, next)
        expect(now.slice(0, from) + insert + now.slice(to)).toBe(next)
        expect(to - from).toBeLessThanOrEqual(now.length)
      }),
    )
  })
})
