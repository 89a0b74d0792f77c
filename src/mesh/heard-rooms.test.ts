import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ANY_ROOM, HEARD_ROOMS_KEPT, heardFrom, roomsHeardPeerConnection, roomToken } from './heard-rooms'
import { FakeConnection, type FakeChannel } from './testing/fake-connection'
import { roomFrame } from './testing/room-frames'

const trysteroSource = (file: string): string =>
  readFileSync(new URL(`../../node_modules/@trystero-p2p/core/dist/${file}`, import.meta.url), 'utf8')

/** A connection whose clock the test sets, with the remote's channel (it delivers what the remote sent). */
const open = () => {
  const time = { now: 1_000 }
  const Heard = roomsHeardPeerConnection(FakeConnection as unknown as typeof RTCPeerConnection, () => time.now)
  const connection = new Heard() as unknown as FakeConnection
  const channel: FakeChannel = connection.createDataChannel()
  const receive = (data: unknown): void => {
    channel.dispatchEvent(new MessageEvent('message', { data }))
  }
  return { connection, receive, time }
}

describe('roomsHeardPeerConnection', () => {
  it('records when the remote last sent a frame of each room, and nothing for other data', () => {
    const { connection, receive, time } = open()
    const [a, b] = ['a'.repeat(64), 'b'.repeat(64)]
    expect(heardFrom(connection, a)).toBeUndefined()
    receive(roomFrame('cp.presence', 0, new Uint8Array([1]), { token: a }))
    time.now = 2_000
    receive(roomFrame('@_hsdata', 1, new Uint8Array([2]), { token: b }))
    // A presence frame (version 2), a string, bytes too short: not a room's frame.
    receive(new Uint8Array([2, 1, 0, 1, 97]).buffer)
    receive('text')
    receive(new Uint8Array([1, 0]).buffer)
    expect([heardFrom(connection, a), heardFrom(connection, b)]).toEqual([1_000, 2_000])
    expect(heardFrom(connection, ANY_ROOM)).toBe(2_000)
    time.now = 3_000
    receive(roomFrame('cp.presence', 2, new Uint8Array([3]), { token: a }))
    expect([heardFrom(connection, a), heardFrom(connection, ANY_ROOM)]).toEqual([3_000, 3_000])
    // Another connection heard nothing.
    expect(heardFrom(open().connection, a)).toBeUndefined()
    expect(heardFrom(open().connection, ANY_ROOM)).toBeUndefined()
  })

  it(`keeps the ${String(HEARD_ROOMS_KEPT)} rooms heard last: a remote naming more pushes its oldest out`, () => {
    const { connection, receive } = open()
    const tokens = Array.from({ length: HEARD_ROOMS_KEPT + 1 }, (_, i) => i.toString(16).padStart(64, '0'))
    for (const token of tokens) receive(roomFrame('cp.presence', 0, new Uint8Array([1]), { token }))
    expect(heardFrom(connection, tokens[0] ?? '')).toBeUndefined()
    expect(heardFrom(connection, tokens[1] ?? '')).toBeDefined()
    expect(heardFrom(connection, tokens.at(-1) ?? '')).toBeDefined()
  })
})

describe('roomToken', () => {
  it('is the name Trystero gives a room on a shared connection, as its source derives it', async () => {
    expect(trysteroSource('crypto.mjs')).toContain(
      'const deriveRoomNamespace = async (appId, roomId) => toHex(await hashWith("SHA-256", `${libName}:${appId}:${roomId}`));',
    )
    expect(trysteroSource('utils.mjs')).toContain('const libName = "Trystero";')
    expect(trysteroSource('utils.mjs')).toContain(
      'const toHex = (buffer) => buffer.reduce((a, c) => a + c.toString(16).padStart(2, "0"), "");',
    )
    // SHA-256 of "Trystero:commonplace/1:room", from Node's own hash (createHash('sha256')).
    expect(await roomToken('commonplace/1', 'room')).toBe(
      '4fba60ea4a22126f2c346e0492bf42e3a95e6dd3ebfd181e10d471d2e1839795',
    )
  })
})
