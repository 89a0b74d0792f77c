import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesEqual, concatBytes, fromBase64Url, fromHex, fromUtf8, toBase64Url, toHex, utf8 } from './bytes'

describe('bytes', () => {
  it('round-trips hex and base64url for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(fromHex(toHex(bytes))).toEqual(bytes)
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes)
      }),
    )
  })

  it('matches known encodings', () => {
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff')
    expect(toBase64Url(utf8('hello?>'))).toBe('aGVsbG8_Pg')
  })

  it('refuses malformed text instead of guessing', () => {
    expect(fromHex('abc')).toBeUndefined()
    expect(fromHex('zz')).toBeUndefined()
    expect(fromBase64Url('a+b/')).toBeUndefined()
    expect(fromBase64Url('abcde')).toBeUndefined()
    expect(() => fromUtf8(new Uint8Array([0xff, 0xfe]))).toThrow(TypeError)
  })

  it('compares and concatenates', () => {
    expect(bytesEqual(utf8('ab'), utf8('ab'))).toBe(true)
    expect(bytesEqual(utf8('ab'), utf8('ac'))).toBe(false)
    expect(bytesEqual(utf8('ab'), utf8('abc'))).toBe(false)
    expect(concatBytes(utf8('ab'), new Uint8Array(), utf8('c'))).toEqual(utf8('abc'))
  })
})
