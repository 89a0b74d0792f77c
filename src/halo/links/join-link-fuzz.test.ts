/**
 * Fuzz property of join links (issue 13): a mutated genuine link, pasted or opened, never throws; it is refused
 * with a typed code or decodes to a link that encodes back to the same payload. `npm run fuzz` runs it with random
 * seeds (scripts/fuzz/room-frames.ts).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mutatedText } from '../../base/testing/mutations'
import { checkProperty, expectNoHang, propertyTimeout } from '../../base/testing/properties'
import type { IdentityKey } from '../keys/keys'
import { fixedKeyPair } from '../testing'
import { decodeJoinLinkOf, encodeDeviceLink, encodeSpaceLink, LinkRefused } from './join-link'

const secret = new Uint8Array(32).fill(9)
const expiresAt = 1_800_000_000_000
const device = encodeDeviceLink({ identityKey: fixedKeyPair(1).publicKey as IdentityKey, secret, expiresAt })
const space = encodeSpaceLink({ spaceId: fixedKeyPair(2).publicKey, secret, expiresAt })
const links = [device, space, `https://app.example/#/join/${device}`, `#/join/${space}`]

describe('join links under mutation', () => {
  it(
    'a mutated link is refused with a code, or decodes to a link that encodes to its payload',
    () => {
      const inputs = fc.tuple(
        fc.constantFrom<'device' | 'space'>('device', 'space'),
        fc.oneof(
          fc.constantFrom(...links).chain((link) => mutatedText(link)),
          fc.string({ maxLength: 600 }),
        ),
      )
      checkProperty(
        fc.property(inputs, ([kind, text]) => {
          const started = performance.now()
          const decoded = decodeJoinLinkOf(kind, text)
          expectNoHang(started, 'decodeJoinLinkOf')
          if (!decoded.ok) {
            expect(decoded.error).toBeInstanceOf(LinkRefused)
            expect(['malformed-link', 'unsupported-link', 'wrong-kind']).toContain(decoded.error.code)
            return
          }
          const link = decoded.value
          expect(link.kind).toBe(kind)
          const again =
            link.kind === 'device'
              ? encodeDeviceLink({ identityKey: link.identityKey, secret: link.secret, expiresAt: link.expiresAt })
              : encodeSpaceLink({ spaceId: link.spaceId, secret: link.secret, expiresAt: link.expiresAt })
          expect(text.trim().endsWith(again)).toBe(true)
        }),
        { seed: 1_302_101, numRuns: 500 },
      )
    },
    propertyTimeout(),
  )
})
