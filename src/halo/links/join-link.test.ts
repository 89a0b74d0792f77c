import { describe, expect, it } from 'vitest'
import { base64urlnopad } from '@scure/base'
import { toHex } from '../../base'
import { generateKeyPair } from '../keys/keys'
import type { IdentityKey } from '../keys/keys'
import type { JoinLink } from './join-link'
import { decodeJoinLink, decodeJoinLinkOf, encodeDeviceLink, encodeSpaceLink } from './join-link'

const identityKey = generateKeyPair<IdentityKey>().publicKey
const secret = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
const expiresAt = 1_800_000_000_000
const payload = encodeDeviceLink({ identityKey, secret, expiresAt })
const bytes = base64urlnopad.decode(payload)

const codeOf = (text: string): string | undefined => {
  const result = decodeJoinLink(text)
  return result.ok ? undefined : result.error.code
}
const withByte = (index: number, value: number): string => {
  const copy = bytes.slice()
  copy[index] = value
  return base64urlnopad.encode(copy)
}
// A key of small order: the identity point (y = 1).
const smallOrder = toHex(Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)))

describe('join links', () => {
  it('round-trips a device link in every accepted form', () => {
    const expected: JoinLink = { kind: 'device', identityKey, secret, expiresAt }
    expect(bytes).toHaveLength(70)
    expect(payload).toHaveLength(94)
    for (const text of [payload, `#/join/${payload}`, `https://commonplace.example/#/join/${payload}`]) {
      expect(decodeJoinLink(text)).toEqual({ ok: true, value: expected })
    }
  })

  it('pins the layout: version, kind, key, secret, expiry in big-endian seconds', () => {
    expect(bytes[0]).toBe(1)
    expect(bytes[1]).toBe(2)
    expect(toHex(bytes.slice(2, 34))).toBe(identityKey)
    expect(bytes.slice(34, 66)).toEqual(secret)
    expect(toHex(bytes.slice(66))).toBe((1_800_000_000).toString(16).padStart(8, '0'))
  })

  it('reads every byte of the secret and expiry where they stand', () => {
    for (let index = 34; index < 70; index++) {
      const result = decodeJoinLink(withByte(index, (bytes[index] ?? 0) ^ 0x80))
      expect(result.ok).toBe(true)
      if (!result.ok) continue
      if (index < 66) expect(result.value.secret[index - 34]).toBe((bytes[index] ?? 0) ^ 0x80)
      else expect(result.value.expiresAt).not.toBe(expiresAt)
    }
  })

  it('refuses a mutated key byte unless the result is still an acceptable key', () => {
    for (let index = 2; index < 34; index++) {
      const result = decodeJoinLinkOf('device', withByte(index, (bytes[index] ?? 0) ^ 0xff))
      if (result.ok) expect(result.value.identityKey).not.toBe(identityKey)
      else expect(result.error.code).toBe('malformed-link')
    }
  })

  it('refuses another version or kind', () => {
    expect(codeOf(withByte(0, 0))).toBe('unsupported-link')
    expect(codeOf(withByte(0, 2))).toBe('unsupported-link')
    expect(codeOf(withByte(1, 0))).toBe('malformed-link')
    expect(codeOf(withByte(1, 3))).toBe('malformed-link')
  })

  it('refuses a small-order or non-canonical identity key', () => {
    const copy = bytes.slice()
    copy.set(
      Uint8Array.from(smallOrder.match(/../g) ?? [], (h) => Number.parseInt(h, 16)),
      2,
    )
    expect(codeOf(base64urlnopad.encode(copy))).toBe('malformed-link')
    copy.fill(0xff, 2, 34)
    expect(codeOf(base64urlnopad.encode(copy))).toBe('malformed-link')
  })

  it('refuses truncated, extended, padded, non-alphabet and overlong input', () => {
    expect(codeOf(base64urlnopad.encode(bytes.slice(0, 69)))).toBe('malformed-link')
    expect(codeOf(base64urlnopad.encode(Uint8Array.of(...bytes, 0)))).toBe('malformed-link')
    expect(codeOf(payload.slice(0, -1))).toBe('malformed-link')
    expect(codeOf(`${payload}A`)).toBe('malformed-link')
    expect(codeOf(`${payload}==`)).toBe('malformed-link')
    expect(codeOf(`${payload.slice(0, 10)}+${payload.slice(11)}`)).toBe('malformed-link')
    expect(codeOf(`${payload.slice(0, 10)}/${payload.slice(11)}`)).toBe('malformed-link')
    expect(codeOf(`${payload.slice(0, 10)} ${payload.slice(11)}`)).toBe('malformed-link')
    expect(codeOf('')).toBe('malformed-link')
    expect(codeOf('#/join/')).toBe('malformed-link')
    expect(codeOf(`${'x'.repeat(420)}#/join/${payload}`)).toBe('malformed-link')
  })

  it('refuses a last character whose unused bits are set (one payload, one spelling)', () => {
    const last = payload.at(-1) ?? ''
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const other = alphabet.charAt(alphabet.indexOf(last) ^ 1)
    expect(codeOf(payload.slice(0, -1) + other)).toBe('malformed-link')
  })

  describe('space links', () => {
    const spaceId = generateKeyPair().publicKey
    const spacePayload = encodeSpaceLink({ spaceId, secret, expiresAt })
    const spaceBytes = base64urlnopad.decode(spacePayload)

    it('round-trips in every accepted form, the space key where the identity key stands', () => {
      const expected: JoinLink = { kind: 'space', spaceId, secret, expiresAt }
      expect(spaceBytes).toHaveLength(70)
      expect(spaceBytes[0]).toBe(1)
      expect(spaceBytes[1]).toBe(1)
      expect(toHex(spaceBytes.slice(2, 34))).toBe(spaceId)
      expect(spaceBytes.slice(34, 66)).toEqual(secret)
      for (const text of [
        spacePayload,
        `#/join/${spacePayload}`,
        `https://commonplace.example/#/join/${spacePayload}`,
      ]) {
        expect(decodeJoinLink(text)).toEqual({ ok: true, value: expected })
      }
    })

    it('rounds the expiry down to the second and refuses one out of range', () => {
      const decoded = decodeJoinLink(encodeSpaceLink({ spaceId, secret, expiresAt: expiresAt + 999 }))
      expect(decoded.ok && decoded.value.expiresAt).toBe(expiresAt)
      expect(() => encodeSpaceLink({ spaceId, secret, expiresAt: -1000 })).toThrow(RangeError)
      expect(() => encodeSpaceLink({ spaceId, secret, expiresAt: 2 ** 33 * 1000 })).toThrow(RangeError)
      expect(() => encodeSpaceLink({ spaceId, secret: secret.slice(1), expiresAt })).toThrow(RangeError)
    })

    it('refuses a space link naming a small-order or non-canonical key', () => {
      const copy = spaceBytes.slice()
      copy.fill(0, 2, 34)
      copy[2] = 1
      expect(codeOf(base64urlnopad.encode(copy))).toBe('malformed-link')
      copy.fill(0xff, 2, 34)
      expect(codeOf(base64urlnopad.encode(copy))).toBe('malformed-link')
    })

    it('refuses a truncated or extended space link', () => {
      expect(codeOf(base64urlnopad.encode(spaceBytes.slice(0, 69)))).toBe('malformed-link')
      expect(codeOf(base64urlnopad.encode(Uint8Array.of(...spaceBytes, 0)))).toBe('malformed-link')
    })

    it('reads one kind only when asked for it: the other kind is wrong-kind, bad input stays malformed', () => {
      const space = decodeJoinLinkOf('space', spacePayload)
      expect(space.ok && space.value.spaceId).toBe(spaceId)
      const device = decodeJoinLinkOf('device', payload)
      expect(device.ok && device.value.identityKey).toBe(identityKey)
      const wrong = decodeJoinLinkOf('space', payload)
      expect(!wrong.ok && wrong.error.code).toBe('wrong-kind')
      const reverse = decodeJoinLinkOf('device', spacePayload)
      expect(!reverse.ok && reverse.error.code).toBe('wrong-kind')
      const bad = decodeJoinLinkOf('space', spacePayload.slice(0, -2))
      expect(!bad.ok && bad.error.code).toBe('malformed-link')
      const version = spaceBytes.slice()
      version[0] = 2
      const unsupported = decodeJoinLinkOf('space', base64urlnopad.encode(version))
      expect(!unsupported.ok && unsupported.error.code).toBe('unsupported-link')
    })
  })
})
