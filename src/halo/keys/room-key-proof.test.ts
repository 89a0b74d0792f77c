import { describe, expect, it } from 'vitest'
import { isRoomKeyProof, roomKeyProof } from './room-key-proof'

const PASSWORD = 'the room password'
const STATEMENT = '{"ctx":"space:a:1","from":"peer-a","to":"peer-b"}'

describe('room key proofs', () => {
  it('verifies for its password and statement only', () => {
    const proof = roomKeyProof(PASSWORD, STATEMENT)
    expect(proof).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(isRoomKeyProof(PASSWORD, STATEMENT, proof)).toBe(true)
    expect(isRoomKeyProof('another password', STATEMENT, proof)).toBe(false)
    expect(isRoomKeyProof(PASSWORD, STATEMENT.replace('peer-b', 'peer-c'), proof)).toBe(false)
  })

  it('takes one spelling of a proof: another last character of the same bytes, padding, or a cut one is refused', () => {
    const proof = roomKeyProof(PASSWORD, STATEMENT)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = alphabet.indexOf(proof.slice(-1))
    // 43 characters carry 256 bits: the last one's low 2 bits are padding, so these three decode to the same bytes.
    const sameBytes = [1, 2, 3].map((step) => proof.slice(0, -1) + (alphabet[(last & ~3) | ((last + step) & 3)] ?? ''))
    for (const spelling of [...sameBytes, `${proof}=`, proof.slice(0, -1), '']) {
      expect(isRoomKeyProof(PASSWORD, STATEMENT, spelling)).toBe(false)
    }
  })
})
