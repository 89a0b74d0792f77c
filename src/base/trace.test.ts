import { describe, expect, it } from 'vitest'
import { traceFields, tracedCount, type Trace } from './trace'

describe('tracedCount', () => {
  it('tells an event at its 1st, 2nd, 4th and 8th time, per key', () => {
    const told: string[] = []
    const trace: Trace = (event, fields) => told.push(`${event} ${JSON.stringify(fields)}`)
    const count = tracedCount(trace, 'drop')
    for (let i = 0; i < 10; i++) count('bad', { peer: 'ab12' })
    count('other')
    expect(told).toEqual([
      'drop {"peer":"ab12","key":"bad","count":1}',
      'drop {"peer":"ab12","key":"bad","count":2}',
      'drop {"peer":"ab12","key":"bad","count":4}',
      'drop {"peer":"ab12","key":"bad","count":8}',
      'drop {"key":"other","count":1}',
    ])
  })
})

describe('traceFields', () => {
  it('cuts each string to 64 characters, whatever a peer or relay sent', () => {
    expect(traceFields({ peer: 'x'.repeat(10_000), count: 3 })).toBe(JSON.stringify({ peer: 'x'.repeat(64), count: 3 }))
  })
})

describe('tracedCount keys', () => {
  it('keeps at most 256 keys, the oldest forgotten: a key counted again after is told as new', () => {
    const told: string[] = []
    const count = tracedCount((_event, fields) => told.push(String(fields?.key)), 'seen')
    for (let i = 0; i <= 256; i++) count(`peer ${String(i)}`)
    // Forgotten, it starts again at 1: told at 1 and 2 (kept, its 2nd and 3rd counts would be told once).
    count('peer 0')
    count('peer 0')
    expect(told.filter((key) => key === 'peer 0')).toHaveLength(3)
    // The newest is kept: its 2nd and 3rd counts are told once, at 2.
    count('peer 256')
    count('peer 256')
    expect(told.filter((key) => key === 'peer 256')).toHaveLength(2)
  })
})
