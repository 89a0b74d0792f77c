import { describe, expect, it } from 'vitest'
import { tracedCount, type Trace } from './trace'

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
