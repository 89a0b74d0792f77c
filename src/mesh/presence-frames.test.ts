import { describe, expect, it } from 'vitest'
import { isPresenceTabMessage, readOpenFrame, writeOpenFrame } from './presence-frames'

const NOTE = '0123456789abcdef'.repeat(2)
const KEY = 'ab'.repeat(32)

describe('open frames', () => {
  it('reads what it writes, at most 8 object ids', () => {
    expect(readOpenFrame(writeOpenFrame([NOTE]))).toEqual([NOTE])
    expect(readOpenFrame(writeOpenFrame(Array.from({ length: 12 }, () => NOTE)))).toHaveLength(8)
  })

  it('refuses anything else before or while parsing: size, bytes, JSON, shape, ids', () => {
    for (const data of [
      `{"v":1,"open":[],"x":"${'x'.repeat(1_100)}"}`,
      ' '.repeat(2_000) + '{"v":1,"open":[]}',
      new Uint8Array([1]),
      '{"v":1,"open":',
      '{"v":1,"open":[],"more":1}',
      '{"v":2,"open":[]}',
      JSON.stringify({ v: 1, open: [NOTE.toUpperCase()] }),
      JSON.stringify({ v: 1, open: Array.from({ length: 9 }, () => NOTE) }),
      JSON.stringify({ v: 1, open: [`${NOTE}0`] }),
    ])
      expect(readOpenFrame(data)).toBeUndefined()
  })
})

describe('presence tab messages', () => {
  it('accepts the four kinds with bounded fields, and nothing else', () => {
    expect(isPresenceTabMessage({ type: 'ask' })).toBe(true)
    expect(isPresenceTabMessage({ type: 'open', tab: 't', spaces: { [KEY]: [NOTE] } })).toBe(true)
    expect(isPresenceTabMessage({ type: 'closed', tab: 't' })).toBe(true)
    expect(isPresenceTabMessage({ type: 'here', spaces: { [KEY]: [{ identity: KEY, device: KEY, open: [] }] } })).toBe(
      true,
    )
    expect(isPresenceTabMessage({ type: 'open', tab: 't', spaces: { nope: [NOTE] } })).toBe(false)
    expect(isPresenceTabMessage({ type: 'here', spaces: { [KEY]: [{ identity: 'x', device: KEY, open: [] }] } })).toBe(
      false,
    )
    expect(isPresenceTabMessage({ type: 'ask', extra: 1 })).toBe(false)
    expect(isPresenceTabMessage({ type: 'open', tab: 'x'.repeat(65), spaces: {} })).toBe(false)
  })
})
