import { describe, expect, it, vi } from 'vitest'
import { ManualClock } from '../../base/testing/manual-clock'
import { keepLastSynced } from './last-synced-keep'

const KEY = 'commonplace.last-synced'
const device = 'd'.repeat(64)

const storageWith = (text?: string) => {
  const stored = new Map<string, string>(text === undefined ? [] : [[KEY, text]])
  return {
    stored,
    getItem: (key: string) => stored.get(key) ?? null,
    setItem: (key: string, value: string) => void stored.set(key, value),
    removeItem: (key: string) => void stored.delete(key),
  }
}

const valid = { identity: 'ada', spaces: { work: { at: 500, device } } }

describe('keepLastSynced', () => {
  it('reads back what it wrote, for its identity only, without names', () => {
    const clock = new ManualClock(1_000)
    const storage = storageWith()
    expect(keepLastSynced(storage, 'ada', clock).read()).toEqual(new Map())
    keepLastSynced(storage, 'ada', clock).write(new Map([['work', { at: 500, device, name: 'Laptop' }]]))
    expect(JSON.parse(storage.stored.get(KEY) ?? '')).toEqual(valid)
    expect(keepLastSynced(storage, 'ada', clock).read()).toEqual(new Map([['work', { at: 500, device }]]))
    // Another identity set up on this browser profile later starts with nothing.
    expect(keepLastSynced(storage, 'bob', clock).read()).toEqual(new Map())
  })

  it.each([
    ['not JSON', '{"identity":'],
    ['not an object', '[1,2]'],
    ['a field more', JSON.stringify({ ...valid, extra: 1 })],
    ['an entry with a field more', JSON.stringify({ identity: 'ada', spaces: { work: { at: 5, device, name: 'x' } } })],
    ['a negative time', JSON.stringify({ identity: 'ada', spaces: { work: { at: -1, device } } })],
    ['a time that is no integer', JSON.stringify({ identity: 'ada', spaces: { work: { at: 1.5, device } } })],
    ['a time as text', JSON.stringify({ identity: 'ada', spaces: { work: { at: '5', device } } })],
    [
      'a device key too long',
      JSON.stringify({ identity: 'ada', spaces: { work: { at: 5, device: 'd'.repeat(129) } } }),
    ],
    ['a space id too long', JSON.stringify({ identity: 'ada', spaces: { ['s'.repeat(257)]: { at: 5, device } } })],
    [
      'too many spaces',
      JSON.stringify({
        identity: 'ada',
        spaces: Object.fromEntries(
          Array.from({ length: 10_001 }, (_, index) => [`s${String(index)}`, { at: 5, device }]),
        ),
      }),
    ],
  ])('ignores a stored value that is malformed: %s', (_case, text) => {
    expect(keepLastSynced(storageWith(text), 'ada', new ManualClock(1_000)).read()).toEqual(new Map())
  })

  it('drops a time ahead of the clock and keeps the others', () => {
    const spaces = { work: { at: 500, device }, home: { at: 5_000, device } }
    const read = keepLastSynced(storageWith(JSON.stringify({ identity: 'ada', spaces })), 'ada', new ManualClock(1_000))
    expect(read.read()).toEqual(new Map([['work', { at: 500, device }]]))
  })

  it('keeps the newest 10,000 spaces', () => {
    const clock = new ManualClock(1_000_000)
    const storage = storageWith()
    const spaces = new Map(Array.from({ length: 10_001 }, (_, index) => [`s${String(index)}`, { at: index, device }]))
    keepLastSynced(storage, 'ada', clock).write(spaces)
    const read = keepLastSynced(storage, 'ada', clock).read()
    expect(read.size).toBe(10_000)
    expect(read.has('s0')).toBe(false)
    expect(read.get('s10000')).toEqual({ at: 10_000, device })
  })

  it('reads nothing from a storage that throws, and a refused write throws nothing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const refusing = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError')
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError')
      },
      removeItem: () => undefined,
    }
    const keep = keepLastSynced(refusing, 'ada', new ManualClock(1_000))
    expect(keep.read()).toEqual(new Map())
    expect(() => {
      keep.write(new Map([['work', { at: 500, device }]]))
    }).not.toThrow()
    expect(warn).toHaveBeenCalledOnce()
    warn.mockRestore()
  })
})
