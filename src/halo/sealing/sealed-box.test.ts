import { describe, expect, it } from 'vitest'
import { toHex } from '../../base'
import { keyPairFromSeed } from '../keys/keys'
import { MAX_BOX_LENGTH, openSealedBox, sealFor, sealWith } from './sealed-box'

const seedOf = (first: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (first + i) & 0xff)
const recipient = keyPairFromSeed(seedOf(1))
const stranger = keyPairFromSeed(seedOf(100))
const secret = seedOf(200)
const aad = 'space-1|1|' + recipient.publicKey

const codeOf = (box: Uint8Array, label = aad, seed: Uint8Array = recipient.secretKey): string | undefined => {
  const result = openSealedBox(seed, box, label)
  return result.ok ? undefined : result.error.code
}

describe('sealed boxes', () => {
  it('pins the box for a fixed recipient, ephemeral secret and nonce', () => {
    const box = sealWith(recipient.publicKey, secret, aad, seedOf(50), seedOf(80).subarray(0, 24))
    expect(box).toHaveLength(104)
    expect(toHex(box)).toMatchInlineSnapshot(
      `"e05b1ae322024838095ffdefd865468ddb77b14b2dd275175ea0ab4294fa6d7a505152535455565758595a5b5c5d5e5f6061626364656667e6e0bfb0addbe049ea73dd19ab434aa79c08b5dd97924be419ad6ebde47e65ce2bea46cecacf4ab84d247f32d04cd22e"`,
    )
    expect(openSealedBox(recipient.secretKey, box, aad)).toEqual({ ok: true, value: secret })
  })

  it('round-trips with fresh randomness, a new box each time', () => {
    const a = sealFor(recipient.publicKey, secret, aad)
    const b = sealFor(recipient.publicKey, secret, aad)
    expect(a).not.toEqual(b)
    expect(openSealedBox(recipient.secretKey, a, aad)).toEqual({ ok: true, value: secret })
    expect(openSealedBox(recipient.secretKey, sealFor(recipient.publicKey, new Uint8Array(0), ''), '')).toEqual({
      ok: true,
      value: new Uint8Array(0),
    })
  })

  it('refuses the wrong recipient and the wrong label', () => {
    const box = sealFor(recipient.publicKey, secret, aad)
    expect(codeOf(box, aad, stranger.secretKey)).toBe('not-opened')
    expect(codeOf(box, 'space-1|2|' + recipient.publicKey)).toBe('not-opened')
  })

  it('refuses a box with any one byte changed', () => {
    const box = sealFor(recipient.publicKey, secret, aad)
    for (let index = 0; index < box.length; index++) {
      const copy = box.slice()
      copy[index] = (copy[index] ?? 0) ^ 0x01
      // A changed ephemeral key may land on a low-order point; either way it does not open.
      expect(['not-opened', 'small-order-key']).toContain(codeOf(copy))
    }
  })

  it('refuses a box too short or too long', () => {
    const box = sealFor(recipient.publicKey, secret, aad)
    expect(codeOf(box.subarray(0, 71))).toBe('box-too-short')
    expect(codeOf(box.subarray(0, 72))).toBe('not-opened')
    expect(codeOf(new Uint8Array(MAX_BOX_LENGTH + 1))).toBe('box-too-long')
    expect(() => sealFor(recipient.publicKey, new Uint8Array(MAX_BOX_LENGTH), aad)).toThrow(RangeError)
  })

  it('refuses an ephemeral key of small order (an all-zero shared secret)', () => {
    const box = sealFor(recipient.publicKey, secret, aad)
    for (const u of [0, 1]) {
      const copy = box.slice()
      copy.fill(0, 0, 32)
      copy[0] = u
      expect(codeOf(copy)).toBe('small-order-key')
    }
  })

  it('seals and opens in a few milliseconds (figures printed)', () => {
    const rounds = 50
    const boxes: Uint8Array[] = []
    const sealStart = performance.now()
    for (let i = 0; i < rounds; i++) boxes.push(sealFor(recipient.publicKey, secret, aad))
    const sealMs = (performance.now() - sealStart) / rounds
    const openStart = performance.now()
    for (const box of boxes) expect(openSealedBox(recipient.secretKey, box, aad).ok).toBe(true)
    const openMs = (performance.now() - openStart) / rounds
    console.info(
      `sealed box: ${String(boxes[0]?.length)} bytes, seal ${sealMs.toFixed(2)} ms, open ${openMs.toFixed(2)} ms`,
    )
    expect(sealMs).toBeLessThan(100)
    expect(openMs).toBeLessThan(100)
  })
})
