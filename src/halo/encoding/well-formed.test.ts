import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { illFormedPath, isWellFormedText } from './well-formed'

/** Code units with surrogates over-represented, so lone and paired ones both turn up. */
const text = fc
  .array(fc.oneof(fc.integer({ min: 0xd800, max: 0xdfff }), fc.integer({ min: 0, max: 0xffff })), { maxLength: 12 })
  .map((units) => String.fromCharCode(...units))

describe('well-formed text', () => {
  it('says exactly which strings survive a UTF-8 round trip unchanged', () => {
    fc.assert(
      fc.property(text, (value) => {
        const survives = new TextDecoder().decode(new TextEncoder().encode(value)) === value
        expect(isWellFormedText(value)).toBe(survives)
      }),
      { seed: 0x5a770, numRuns: 2000 },
    )
  })

  it('finds a lone surrogate anywhere in a record, keys included', () => {
    expect(isWellFormedText('Ada 🦊')).toBe(true)
    expect(isWellFormedText('Ada\ud800')).toBe(false)
    expect(isWellFormedText('\udc00Ada')).toBe(false)
    expect(illFormedPath({ a: [{ name: 'ok' }, { name: 'x\ud83e' }] })).toBe('$.a.1.name')
    expect(illFormedPath({ ['\udfff']: 1 })).toBe('$[key]')
    expect(illFormedPath({ a: ['🦊', 1, null, true] })).toBeUndefined()
  })
})
