import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { trustConnection } from './pending-cap'
import { closedWhenRefused, REFUSED_CLOSE_MS } from './refused-close'
import { roomFrame } from './testing/room-frames'

/** The part of a data channel Trystero sends on: what went out, in order. */
class FakeChannel extends EventTarget {
  readonly sent: unknown[] = []

  send(data: unknown): void {
    this.sent.push(data)
  }
}

/** The part of an RTCPeerConnection used here, on Node's EventTarget. */
class FakeConnection extends EventTarget {
  closed = false

  createDataChannel(): FakeChannel {
    return new FakeChannel()
  }

  close(): void {
    this.closed = true
  }
}

const Closing = closedWhenRefused(FakeConnection as unknown as typeof RTCPeerConnection)

const ROOM = 'r'.repeat(64)
const OTHER = 'o'.repeat(64)
const utf8 = (value: string): Uint8Array => new TextEncoder().encode(value)

/** Our handshake's frames, as Trystero's handshake action sends them (strings; Trystero's password step as JSON). */
const password = (token = ROOM): ArrayBuffer =>
  roomFrame('@_hsdata', 0, utf8(JSON.stringify({ __trystero_pw: 'challenge', c: 'x'.repeat(36) })), { token, tag: 8 })
const hello = (token = ROOM): ArrayBuffer =>
  roomFrame('@_hsdata', 1, utf8(JSON.stringify({ v: 1, nonce: 'n'.repeat(43) })), { token, tag: 0 })
const reject = (code: string, token = ROOM): ArrayBuffer =>
  roomFrame('@_hsdata', 2, utf8(JSON.stringify({ v: 1, reject: code })), { token, tag: 0 })
const ready = (token = ROOM): ArrayBuffer => roomFrame('@_hsready', 3, utf8('""'), { token, tag: 8 })

const open = (): { connection: FakeConnection; channel: FakeChannel } => {
  const connection = new Closing() as unknown as FakeConnection
  const channel = connection.createDataChannel()
  return { connection, channel }
}

const sendAll = (channel: FakeChannel, frames: readonly ArrayBuffer[]): void => {
  for (const frame of frames) channel.send(frame)
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('closedWhenRefused', () => {
  it('closes a connection whose only room refused its peer, once the reject had time to reach it', () => {
    const { connection, channel } = open()
    const frames = [password(), hello(), reject('not-member')]
    sendAll(channel, frames)
    // Every frame still goes out, the reject too.
    expect(channel.sent).toEqual(frames)
    vi.advanceTimersByTime(REFUSED_CLOSE_MS - 1)
    expect(connection.closed).toBe(false)
    vi.advanceTimersByTime(1)
    expect(connection.closed).toBe(true)
  })

  it('is not held open by Trystero binding the refused peer to the room again (its password step)', () => {
    const { connection, channel } = open()
    sendAll(channel, [password(), hello(), reject('revoked')])
    vi.advanceTimersByTime(REFUSED_CLOSE_MS / 2)
    channel.send(password())
    vi.advanceTimersByTime(REFUSED_CLOSE_MS / 2)
    expect(connection.closed).toBe(true)
  })

  it('keeps the connection while another room’s handshake is under way, and closes it once that one refuses too', () => {
    const { connection, channel } = open()
    sendAll(channel, [password(), password(OTHER), hello(), hello(OTHER), reject('not-member')])
    vi.advanceTimersByTime(REFUSED_CLOSE_MS * 10)
    expect(connection.closed).toBe(false)
    channel.send(reject('bad-proof', OTHER))
    vi.advanceTimersByTime(REFUSED_CLOSE_MS)
    expect(connection.closed).toBe(true)
  })

  it('keeps a connection a room of ours let the peer in on, refused elsewhere before or after', () => {
    const first = open()
    sendAll(first.channel, [password(), password(OTHER), hello(OTHER), ready(OTHER), reject('not-member')])
    vi.advanceTimersByTime(REFUSED_CLOSE_MS * 10)
    expect(first.connection.closed).toBe(false)

    // Trusted while the close waited: a room admitted the peer after another refused it.
    const second = open()
    sendAll(second.channel, [password(), hello(), reject('not-member')])
    trustConnection(second.connection)
    second.channel.send(reject('not-member', OTHER))
    vi.advanceTimersByTime(REFUSED_CLOSE_MS * 10)
    expect(second.connection.closed).toBe(false)
  })

  it('keeps it when the refused room meets the peer again (our Hello after the reject)', () => {
    const { connection, channel } = open()
    sendAll(channel, [password(), hello(), reject('bad-hello'), password(), hello()])
    vi.advanceTimersByTime(REFUSED_CLOSE_MS * 10)
    expect(connection.closed).toBe(false)
  })

  it('does not count a room being left, nor frames that are no handshake’s', () => {
    const { connection, channel } = open()
    sendAll(channel, [password(), hello(), reject('leaving')])
    channel.send(roomFrame('cp.am', 0, utf8(JSON.stringify({ v: 1, reject: 'not-member' }))))
    channel.send(new Uint8Array([2, 1, 0, 1, 97]).buffer)
    vi.advanceTimersByTime(REFUSED_CLOSE_MS * 10)
    expect(connection.closed).toBe(false)
  })

  it('watches the channel the remote opens too', () => {
    const connection = new Closing() as unknown as FakeConnection
    const channel = new FakeChannel()
    connection.dispatchEvent(Object.assign(new Event('datachannel'), { channel }))
    sendAll(channel, [password(), hello(), reject('wrong-peer')])
    vi.advanceTimersByTime(REFUSED_CLOSE_MS)
    expect(connection.closed).toBe(true)
  })
})
