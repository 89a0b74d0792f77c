import { describe, expect, it } from 'vitest'
import { toHex, utf8 } from '../../base'
import { fixedKeyPair } from '../testing'
import { signWith, verifyBytes } from './keys'

describe('verifyBytes', () => {
  const pair = fixedKeyPair(7)
  const message = utf8('transcript')
  const signature = toHex(signWith(pair, message))

  it('accepts the signature of these bytes by this key, and nothing else', () => {
    expect(verifyBytes(signature, message, pair.publicKey)).toBe(true)
    expect(verifyBytes(signature, utf8('transcripT'), pair.publicKey)).toBe(false)
    expect(verifyBytes(signature, message, fixedKeyPair(8).publicKey)).toBe(false)
  })

  it('refuses malformed signatures and keys, including a small-order key', () => {
    expect(verifyBytes(signature.toUpperCase(), message, pair.publicKey)).toBe(false)
    expect(verifyBytes(signature.slice(2), message, pair.publicKey)).toBe(false)
    expect(verifyBytes(signature, message, 'zz')).toBe(false)
    // The identity point (y = 1) has small order.
    expect(verifyBytes(signature, message, `01${'00'.repeat(31)}`)).toBe(false)
  })
})
