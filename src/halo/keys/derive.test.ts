import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { fromHex, toHex } from '../../base'
import { verifySignature } from './ed25519'
import { publicKeyToBytes, signWith } from './keys'
import {
  invitationKey,
  invitationRoom,
  inviteRendezvous,
  linkRoom,
  newLinkSecret,
  newSwarmSecret,
  SecretWrongLength,
  swarmCommitment,
  swarmRoom,
} from './derive'

const S = Uint8Array.from({ length: 32 }, (_, i) => i)
const K = Uint8Array.from({ length: 32 }, (_, i) => 255 - i)

describe('swarmRoom', () => {
  // Pinned values were cross-checked against Node's crypto.hkdfSync and its Ed25519.
  it('gives pinned room ids and passwords for fixed inputs', () => {
    expect(swarmRoom(S, 'space-1', 1)).toMatchInlineSnapshot(`
      {
        "password": "w_0W_URtNMDRKF9jpEbbtDtPsrKNrRPW9sKWssVdKGM",
        "roomId": "xdnUUnq9Gf3_ZzDv4JvcW9FX-VilH9FtpUbD97APn3g",
      }
    `)
  })

  it('gives distinct outputs for distinct secrets, spaces, generations and kinds', () => {
    const rooms = [
      swarmRoom(S, 'space-1', 1),
      swarmRoom(S, 'space-2', 1),
      swarmRoom(S, 'space-1', 2),
      swarmRoom(K, 'space-1', 1),
      // "a|1" + "1" vs "a|11": the separator keeps space and generation apart.
      swarmRoom(S, 'space-1|1', 1),
    ]
    const all = rooms.flatMap((room) => [room.roomId, room.password])
    expect(new Set(all).size).toBe(all.length)
    for (const value of all) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('refuses a secret that is not 32 bytes', () => {
    expect(() => swarmRoom(new Uint8Array(31), 'x', 1)).toThrow(SecretWrongLength)
    expect(() => swarmRoom(new Uint8Array(33), 'x', 1)).toThrow(SecretWrongLength)
  })
})

describe('invitationRoom', () => {
  const rendezvous = inviteRendezvous(K)
  // Cross-checked against Node's crypto.hkdfSync, as the swarm room's.
  it('gives a pinned room and password for a fixed space and K', () => {
    expect(invitationRoom('space-1', rendezvous)).toMatchInlineSnapshot(`
      {
        "password": "IWa3JK1sHn-3SxXiFaymnAJv6ctb8_t8Fn3RnU--Eic",
        "roomId": "IaYH4GS2yVCckpDJK52rB1SsFYfK4piRuRa6mB3DA34",
      }
    `)
  })

  it('differs by space and by K, from the link room of K, and from the room of the invite key in the log', () => {
    const rooms = [
      invitationRoom('space-1', rendezvous),
      invitationRoom('space-2', rendezvous),
      invitationRoom('space-1', inviteRendezvous(S)),
      linkRoom(K),
    ]
    const all = rooms.flatMap((room) => [room.roomId, room.password])
    expect(new Set(all).size).toBe(all.length)
    for (const value of all) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // Review 13 G4: the room came from I_K, which every copy of the log names (this was its pinned room).
    expect(rooms[0]?.roomId).not.toBe('QOaZyc_u0fC3eKiZqc3le-qbeFWB-3_lAfBndYugE_s')
  })

  it('refuses a rendezvous that is not 32 bytes', () => {
    expect(() => invitationRoom('space-1', new Uint8Array(31))).toThrow(SecretWrongLength)
  })
})

describe('linkRoom', () => {
  it('gives a pinned room, password and invite key for a fixed K', () => {
    const { roomId, password, inviteKey } = linkRoom(K)
    expect({ roomId, password, inviteKey }).toMatchInlineSnapshot(`
      {
        "inviteKey": "66e77e2ca65ab2f22725eb8af5663e804022b0e5827732aa12d7a026db9adc32",
        "password": "vLMG0EfiSDIjsjhNwOlVhkifo_XWVad05JSdGespZI4",
        "roomId": "HjvpVFoYMDiPnUpJCrYpcRZiNJ7Km5XmSMZKfnI01hY",
      }
    `)
  })

  it('differs from the swarm room of the same bytes', () => {
    const link = linkRoom(S)
    const swarm = swarmRoom(S, '', 0)
    expect(link.roomId).not.toBe(swarm.roomId)
    expect(link.password).not.toBe(link.roomId)
  })

  it('signs with the invite key (strict RFC 8032 verify)', async () => {
    const link = linkRoom(K)
    const message = new TextEncoder().encode('hello')
    const signature = fromHex(await link.signInvite(message))
    expect(signature).toBeDefined()
    if (signature === undefined) return
    expect(verifySignature(signature, message, publicKeyToBytes(link.inviteKey))).toBe(true)
    expect(verifySignature(signature, message, publicKeyToBytes(linkRoom(S).inviteKey))).toBe(false)
  })

  it('refuses a secret that is not 32 bytes', () => {
    expect(() => linkRoom(new Uint8Array(16))).toThrow(SecretWrongLength)
  })
})

describe('invitationKey', () => {
  it('is the key pair whose public half is the link room’s invite key, and signs as it', () => {
    const pair = invitationKey(K)
    expect(pair.publicKey).toBe(linkRoom(K).inviteKey)
    expect(pair.publicKey).toBe('66e77e2ca65ab2f22725eb8af5663e804022b0e5827732aa12d7a026db9adc32')
    expect(pair.secretKey).toHaveLength(32)
    const message = new TextEncoder().encode('member')
    expect(verifySignature(signWith(pair, message), message, publicKeyToBytes(pair.publicKey))).toBe(true)
    expect(invitationKey(S).publicKey).not.toBe(pair.publicKey)
  })

  it('refuses a secret that is not 32 bytes', () => {
    expect(() => invitationKey(new Uint8Array(31))).toThrow(SecretWrongLength)
  })
})

describe('new secrets', () => {
  it('are 32 fresh random bytes', () => {
    expect(newSwarmSecret()).toHaveLength(32)
    expect(newLinkSecret()).toHaveLength(32)
    expect(newSwarmSecret()).not.toEqual(newSwarmSecret())
  })
})

describe('swarmCommitment', () => {
  it('is the SHA-256 of the label, space, generation and secret, and differs when any of them does', () => {
    const secret = new Uint8Array(32).fill(7)
    const space = 'ab'.repeat(32)
    const bytes = new Uint8Array([
      ...new TextEncoder().encode(`commonplace/swarm-commitment/v1|${space}|1|`),
      ...secret,
    ])
    expect(swarmCommitment(secret, space, 1)).toBe(toHex(sha256(bytes)))
    const others = [
      swarmCommitment(new Uint8Array(32).fill(8), space, 1),
      swarmCommitment(secret, 'cd'.repeat(32), 1),
      swarmCommitment(secret, space, 2),
    ]
    expect(new Set([swarmCommitment(secret, space, 1), ...others]).size).toBe(4)
    expect(() => swarmCommitment(new Uint8Array(31), space, 1)).toThrow(SecretWrongLength)
  })
})
