import { describe, expect, it } from 'vitest'
import { MAX_LOG_ENTRIES, readInviteFrame, writeInviteFrame, type InviteFrame } from './invite-frames'

const id = 'a'.repeat(64)
const offer = {
  v: 1 as const,
  t: 'offer' as const,
  spaceName: '',
  role: 'viewer' as const,
  delegation: 1,
  profile: null,
  heads: [],
  log: [],
}

describe('invite frames', () => {
  it('round-trips each frame from the side that sends it', () => {
    const fromGuest = [
      { v: 1, t: 'hello' },
      { v: 1, t: 'accept', member: { id } },
    ] satisfies InviteFrame[]
    const fromHost = [
      { ...offer, spaceName: 'Garden plans', role: 'editor', delegation: { id }, heads: [id], log: [{ id }] },
      { v: 1, t: 'welcome', rootUrl: 'automerge:abc', generation: 1, secret: 'A'.repeat(43) },
      { v: 1, t: 'refused', code: 'invitation-used' },
    ] satisfies InviteFrame[]
    for (const frame of fromGuest) expect(readInviteFrame(writeInviteFrame(frame), 'guest')).toEqual(frame)
    for (const frame of fromHost) expect(readInviteFrame(writeInviteFrame(frame), 'host')).toEqual(frame)
  })

  it('takes from each side only the frames that side sends', () => {
    expect(readInviteFrame(JSON.stringify(offer), 'guest')).toBeUndefined()
    expect(readInviteFrame(JSON.stringify({ v: 1, t: 'accept', member: 1 }), 'host')).toBeUndefined()
    expect(readInviteFrame(JSON.stringify({ v: 1, t: 'hello' }), 'host')).toBeUndefined()
  })

  it('lets a host send a log up to its cap, and a guest no more than an admission', () => {
    const entry = { pad: 'x'.repeat(1_000) }
    const full = JSON.stringify({ ...offer, log: Array.from({ length: MAX_LOG_ENTRIES }, () => entry) })
    expect(readInviteFrame(full, 'host')).toBeDefined()
    const over = JSON.stringify({ ...offer, log: Array.from({ length: MAX_LOG_ENTRIES + 1 }, () => 1) })
    expect(readInviteFrame(over, 'host')).toBeUndefined()
    expect(readInviteFrame(JSON.stringify({ v: 1, t: 'accept', member: 'x'.repeat(64 * 1024) }), 'guest')).toBe(
      undefined,
    )
  })

  it.each([
    ['not a string', { v: 1, t: 'welcome' }],
    ['not JSON', '{"v":1,'],
    ['an unknown frame', JSON.stringify({ v: 1, t: 'other' })],
    ['an extra field', JSON.stringify({ v: 1, t: 'refused', code: 'used', x: 1 })],
    ['a secret that is not 32 bytes', JSON.stringify({ v: 1, t: 'welcome', rootUrl: 'a', generation: 1, secret: 'A' })],
    ['generation 0', JSON.stringify({ v: 1, t: 'welcome', rootUrl: 'a', generation: 0, secret: 'A'.repeat(43) })],
    ['an unknown role', JSON.stringify({ ...offer, role: 'god' })],
    ['a head that is not an id', JSON.stringify({ ...offer, heads: ['x'] })],
    ['an offer with no log', JSON.stringify({ ...offer, log: undefined })],
    ['a refusal with a log (it carries none)', JSON.stringify({ v: 1, t: 'refused', code: 'used', log: [] })],
    ['a code with capitals', JSON.stringify({ v: 1, t: 'refused', code: 'Used' })],
    ['oversize', JSON.stringify({ ...offer, log: ['x'.repeat(2 * 1024 * 1024)] })],
  ])('ignores from a host %s', (_name, data) => {
    expect(readInviteFrame(data, 'host')).toBeUndefined()
  })
})
