/**
 * Fuzz properties of the invitation and link rooms' frames (issue 13): mutated genuine frames and anything else a
 * peer could send never throw, and either are ignored (undefined) or read to a frame that reads the same again.
 * `npm run fuzz` (scripts/fuzz/room-frames.ts) runs them with random seeds.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { anyInput, mutatedJson, mutatedText } from '../base/testing/mutations'
import { checkProperty, expectNoHang, propertyTimeout } from '../base/testing/properties'
import { readInviteFrame, writeInviteFrame, type InviteFrame } from './invite-frames'
import { readLinkFrame, writeLinkFrame, type LinkFrame } from './link-frames'

const id = 'a'.repeat(64)
const credential = { id, issuer: id, subject: id, assertion: { kind: 'AuthorizedDevice' }, issuedAt: 1, parents: [] }
const inviteFrames: readonly (readonly ['guest' | 'host', InviteFrame])[] = [
  ['guest', { v: 1, t: 'hello' }],
  ['guest', { v: 1, t: 'accept', member: credential }],
  [
    'host',
    {
      v: 1,
      t: 'offer',
      spaceName: 'Garden plans',
      role: 'editor',
      delegation: credential,
      profile: null,
      heads: [id],
      log: [credential],
    },
  ],
  ['host', { v: 1, t: 'welcome', rootUrl: 'automerge:abc', generation: 1, secret: 'A'.repeat(43) }],
  ['host', { v: 1, t: 'refused', code: 'invitation-used' }],
]
const linkFrames: readonly LinkFrame[] = [
  { v: 1, t: 'hello' },
  { v: 1, t: 'profile', profile: credential },
  { v: 1, t: 'request', deviceName: 'Laptop' },
  {
    v: 1,
    t: 'welcome',
    identityKey: id,
    chain: credential,
    credentials: [credential],
    personal: { spaceId: id, rootUrl: 'automerge:abc', generation: 2, secret: 'B'.repeat(43) },
  },
  { v: 1, t: 'denied' },
  { v: 1, t: 'stored' },
]

/** A genuine frame's text, mutated as text or as JSON, or anything at all. */
const mutatedFrame = (frames: readonly unknown[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(...frames).chain((frame) => mutatedText(JSON.stringify(frame))),
    fc.constantFrom(...frames).chain((frame) => mutatedJson(frame).map((value) => JSON.stringify(value))),
    anyInput,
  )

describe('room frames under mutation', () => {
  it(
    'an invitation frame is ignored or read to a frame that reads the same again',
    () => {
      const inputs = fc.tuple(
        fc.constantFrom<'guest' | 'host'>('guest', 'host'),
        mutatedFrame(inviteFrames.map(([, f]) => f)),
      )
      checkProperty(
        fc.property(inputs, ([from, data]) => {
          const started = performance.now()
          const frame = readInviteFrame(data, from)
          if (frame !== undefined) expect(readInviteFrame(writeInviteFrame(frame), from)).toEqual(frame)
          expectNoHang(started, 'readInviteFrame')
        }),
        { seed: 1_301_301, numRuns: 400 },
      )
    },
    propertyTimeout(),
  )

  it(
    'a link frame is ignored or read to a frame that reads the same again',
    () => {
      checkProperty(
        fc.property(mutatedFrame(linkFrames), (data) => {
          const started = performance.now()
          const frame = readLinkFrame(data)
          if (frame !== undefined) expect(readLinkFrame(writeLinkFrame(frame))).toEqual(frame)
          expectNoHang(started, 'readLinkFrame')
        }),
        { seed: 1_301_302, numRuns: 400 },
      )
    },
    propertyTimeout(),
  )
})
