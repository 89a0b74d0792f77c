import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { trustConnection } from './pending-cap'
import {
  closedWhenRefused,
  handshakeEnded,
  handshakeTag,
  PASSWORD_STEP_MS,
  REFUSED_CLOSE_MS,
  sendingAs,
  UNTRUSTED_MS,
  type HandshakeEnd,
} from './refused-close'
import { FakeChannel, FakeConnection } from './testing/fake-connection'
import { roomFrame } from './testing/room-frames'

const Closing = closedWhenRefused(FakeConnection as unknown as typeof RTCPeerConnection)

const ROOM = 'r'.repeat(64)
const OTHER = 'o'.repeat(64)
const utf8 = (value: string): Uint8Array => new TextEncoder().encode(value)

/** Trystero's password step (its own JSON frames), and a frame of our handshake (a string). */
const password = (token = ROOM): ArrayBuffer =>
  roomFrame('@_hsdata', 0, utf8(JSON.stringify({ __trystero_pw: 'challenge', c: 'x'.repeat(36) })), { token, tag: 8 })
const ours = (token = ROOM): ArrayBuffer =>
  roomFrame('@_hsdata', 1, utf8(JSON.stringify({ v: 1, nonce: 'n'.repeat(43) })), { token, tag: 0 })

const open = (): { connection: FakeConnection; channel: FakeChannel } => {
  const connection = new Closing() as unknown as FakeConnection
  const channel = connection.createDataChannel()
  return { connection, channel }
}

/** One handshake in `token`: Trystero's password step, then ours; returns how to end it. */
const handshake = (channel: FakeChannel, token = ROOM): ((end: HandshakeEnd) => void) => {
  const tag = handshakeTag()
  channel.send(password(token))
  sendingAs(tag, () => {
    channel.send(ours(token))
  })
  return (end) => {
    handshakeEnded(tag, end)
  }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('closedWhenRefused', () => {
  it('closes a connection whose only room refused the peer, once a reject had time to reach it', () => {
    const { connection, channel } = open()
    const end = handshake(channel)
    // Every frame still goes out.
    expect(channel.sent).toEqual([password(), ours()])
    vi.advanceTimersByTime(PASSWORD_STEP_MS * 3)
    expect(connection.closed).toBe(false)
    // Refused by us or by the peer (which then got no reject of ours): the same.
    end('refused')
    vi.advanceTimersByTime(REFUSED_CLOSE_MS - 1)
    expect(connection.closed).toBe(false)
    vi.advanceTimersByTime(1)
    expect(connection.closed).toBe(true)
  })

  it('is not held open by the peer bound to the room again, nor by our new handshake there unless a room trusts it', () => {
    const { connection, channel } = open()
    handshake(channel)('refused')
    vi.advanceTimersByTime(REFUSED_CLOSE_MS / 2)
    // Trystero binds the peer again (its presence frame): the password step, then a handshake of ours under way.
    handshake(channel)
    vi.advanceTimersByTime(REFUSED_CLOSE_MS / 2)
    expect(connection.closed).toBe(true)

    // One that passes in time keeps it: the room lets the peer in, and the connection is trusted.
    const second = open()
    handshake(second.channel)('refused')
    handshake(second.channel)('passed')
    trustConnection(second.connection)
    vi.advanceTimersByTime(PASSWORD_STEP_MS * 3)
    expect(second.connection.closed).toBe(false)
  })

  it('keeps the connection while another room’s handshake is under way or passed, and closes it once none is', () => {
    const { connection, channel } = open()
    const other = handshake(channel, OTHER)
    handshake(channel)('refused')
    vi.advanceTimersByTime(PASSWORD_STEP_MS * 2)
    expect(connection.closed).toBe(false)
    other('passed')
    vi.advanceTimersByTime(PASSWORD_STEP_MS * 2)
    expect(connection.closed).toBe(false)
    // The passed one then fails its binding, say: the swarm refuses it.
    other('refused')
    vi.advanceTimersByTime(REFUSED_CLOSE_MS)
    expect(connection.closed).toBe(true)
  })

  it('gives a room stuck in Trystero’s password step a few seconds, and a refusal its second, then closes', () => {
    // A peer that binds a room of ours it holds no password for and never answers our challenge.
    const { connection, channel } = open()
    channel.send(password(OTHER))
    vi.advanceTimersByTime(PASSWORD_STEP_MS - 1)
    expect(connection.closed).toBe(false)
    vi.advanceTimersByTime(1)
    expect(connection.closed).toBe(true)

    // Stuck there, and refused in another room just before the step's time is up: the refusal's second counts.
    const second = open()
    second.channel.send(password(OTHER))
    vi.advanceTimersByTime(PASSWORD_STEP_MS - 1)
    handshake(second.channel)('refused')
    vi.advanceTimersByTime(REFUSED_CLOSE_MS - 1)
    expect(second.connection.closed).toBe(false)
    vi.advanceTimersByTime(1)
    expect(second.connection.closed).toBe(true)
  })

  it('takes a handshake cut by a room being left, or by the connection, as saying nothing, within its time untrusted', () => {
    const { connection, channel } = open()
    handshake(channel)('void')
    vi.advanceTimersByTime(PASSWORD_STEP_MS * 3)
    expect(connection.closed).toBe(false)
    // The room joined again meets the peer on this connection, and our handshake there keeps it.
    const end = handshake(channel)
    vi.advanceTimersByTime(PASSWORD_STEP_MS * 2)
    expect(connection.closed).toBe(false)
    end('passed')
    trustConnection(connection)
    vi.advanceTimersByTime(UNTRUSTED_MS)
    expect(connection.closed).toBe(false)
  })

  it('closes a connection no room trusted within its time, however its handshakes end (review, helper 126)', () => {
    // A peer that cuts each handshake short (a reject `leaving`, Trystero's leave) and binds the room again.
    const { connection, channel } = open()
    for (let at = 0; at < UNTRUSTED_MS - 1_000; at += 1_000) {
      handshake(channel)('void')
      vi.advanceTimersByTime(1_000)
    }
    expect(connection.closed).toBe(false)
    // One that passed and was never let in (its binding never came) does not keep it either.
    handshake(channel)('passed')
    vi.advanceTimersByTime(1_000)
    expect(connection.closed).toBe(true)
  })

  it('keeps a connection whose room has no handshake of ours once Trystero’s password step passed (its ready frame)', () => {
    // A swarm joined without a handshake (the relay tests' pages): nothing is ever sent inside a tag.
    const { connection, channel } = open()
    channel.send(password())
    channel.send(roomFrame('@_hsready', 2, utf8('""'), { tag: 8 }))
    vi.advanceTimersByTime(PASSWORD_STEP_MS * 3)
    expect(connection.closed).toBe(false)
  })

  it('never closes a connection a room of ours trusts, and ignores frames that are no handshake’s', () => {
    const { connection, channel } = open()
    trustConnection(connection)
    handshake(channel)('refused')
    channel.send(roomFrame('cp.am', 0, utf8('{}')))
    channel.send(new Uint8Array([2, 1, 0, 1, 97]).buffer)
    vi.advanceTimersByTime(PASSWORD_STEP_MS * 3)
    expect(connection.closed).toBe(false)
  })

  it('watches the channel the remote opens too, and a tag that reached no channel changes nothing', () => {
    const connection = new Closing() as unknown as FakeConnection
    const channel = new FakeChannel()
    connection.dispatchEvent(Object.assign(new Event('datachannel'), { channel }))
    const end = handshake(channel)
    handshakeEnded(handshakeTag(), 'refused')
    vi.advanceTimersByTime(PASSWORD_STEP_MS * 3)
    expect(connection.closed).toBe(false)
    end('refused')
    vi.advanceTimersByTime(REFUSED_CLOSE_MS)
    expect(connection.closed).toBe(true)
  })
})
