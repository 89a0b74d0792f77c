import { describe, expect, it } from 'vitest'
import { readInviteFrame, writeInviteFrame, type InviteFrame } from './invite-frames'

const id = 'a'.repeat(64)

describe('invite frames', () => {
  it('round-trips each frame', () => {
    const frames = [
      { v: 1, t: 'hello' },
      { v: 1, t: 'offer', spaceName: 'Garden plans', role: 'editor', delegation: { id }, profile: null, heads: [id] },
      { v: 1, t: 'accept', member: { id } },
      { v: 1, t: 'welcome', rootUrl: 'automerge:abc', generation: 1, secret: 'A'.repeat(43) },
      { v: 1, t: 'refused', code: 'invitation-used' },
    ] satisfies InviteFrame[]
    for (const frame of frames) expect(readInviteFrame(writeInviteFrame(frame))).toEqual(frame)
  })

  it.each([
    ['not a string', { v: 1, t: 'hello' }],
    ['not JSON', '{"v":1,'],
    ['an unknown frame', JSON.stringify({ v: 1, t: 'other' })],
    ['an extra field', JSON.stringify({ v: 1, t: 'hello', x: 1 })],
    ['a secret that is not 32 bytes', JSON.stringify({ v: 1, t: 'welcome', rootUrl: 'a', generation: 1, secret: 'A' })],
    ['generation 0', JSON.stringify({ v: 1, t: 'welcome', rootUrl: 'a', generation: 0, secret: 'A'.repeat(43) })],
    [
      'an unknown role',
      JSON.stringify({ v: 1, t: 'offer', spaceName: '', role: 'god', delegation: 1, profile: null, heads: [] }),
    ],
    [
      'a head that is not an id',
      JSON.stringify({ v: 1, t: 'offer', spaceName: '', role: 'viewer', delegation: 1, profile: null, heads: ['x'] }),
    ],
    ['a code with capitals', JSON.stringify({ v: 1, t: 'refused', code: 'Used' })],
    ['oversize', JSON.stringify({ v: 1, t: 'accept', member: 'x'.repeat(64 * 1024) })],
  ])('ignores %s', (_name, data) => {
    expect(readInviteFrame(data)).toBeUndefined()
  })
})
