import { describe, expect, it } from 'vitest'
import { cappedPeerConnection, MAX_PENDING_BYTES, trustConnection } from './pending-cap'

/** The part of a data channel Trystero uses: events, and `onmessage` (an attribute handler: after ours). */
class FakeChannel extends EventTarget {}

/** The part of an RTCPeerConnection Trystero uses here, on Node's EventTarget. */
class FakeConnection extends EventTarget {
  closed = false

  createDataChannel(): FakeChannel {
    return new FakeChannel()
  }

  close(): void {
    this.closed = true
  }
}

const Capped = cappedPeerConnection(FakeConnection as unknown as typeof RTCPeerConnection, 1_000)

const message = (data: unknown): MessageEvent => new MessageEvent('message', { data })

/** Trystero's reassembly as a listener set after ours; returns the sizes it got. */
const trysteroOn = (channel: EventTarget): number[] => {
  const got: number[] = []
  channel.addEventListener('message', (event) => {
    const { data } = event as MessageEvent<ArrayBuffer | string>
    got.push(typeof data === 'string' ? data.length : data.byteLength)
  })
  return got
}

describe('cappedPeerConnection', () => {
  it('closes an untrusted connection past the cap, and the chunk that crossed it never reaches Trystero', () => {
    const connection = new Capped()
    const channel = connection.createDataChannel('data')
    const got = trysteroOn(channel)
    channel.dispatchEvent(message(new ArrayBuffer(400)))
    channel.dispatchEvent(message('x'.repeat(400)))
    expect((connection as unknown as FakeConnection).closed).toBe(false)
    channel.dispatchEvent(message(new ArrayBuffer(400)))
    expect(got).toEqual([400, 400])
    expect((connection as unknown as FakeConnection).closed).toBe(true)
  })

  it('watches the channel the remote opens too, before Trystero’s datachannel handler', () => {
    const connection = new Capped()
    const got: number[][] = []
    connection.addEventListener('datachannel', (event) => {
      got.push(trysteroOn(event.channel))
    })
    const channel = new FakeChannel()
    connection.dispatchEvent(Object.assign(new Event('datachannel'), { channel }))
    channel.dispatchEvent(message(new Uint8Array(1_000)))
    channel.dispatchEvent(message(new Uint8Array(1)))
    expect(got).toEqual([[1_000]])
    expect((connection as unknown as FakeConnection).closed).toBe(true)
  })

  it('closes at once on data that is neither text nor bytes', () => {
    const connection = new Capped()
    const channel = connection.createDataChannel('data')
    const got = trysteroOn(channel)
    channel.dispatchEvent(message({ size: 1 }))
    expect(got).toEqual([])
    expect((connection as unknown as FakeConnection).closed).toBe(true)
  })

  it('lets a trusted connection carry any amount', () => {
    const connection = new Capped()
    const channel = connection.createDataChannel('data')
    const got = trysteroOn(channel)
    channel.dispatchEvent(message(new ArrayBuffer(900)))
    trustConnection(connection)
    for (let i = 0; i < 10; i++) channel.dispatchEvent(message(new ArrayBuffer(900)))
    expect(got).toHaveLength(11)
    expect((connection as unknown as FakeConnection).closed).toBe(false)
  })

  it('holds 60 rooms’ handshakes at our largest Hello and Proof', () => {
    expect(MAX_PENDING_BYTES).toBeGreaterThanOrEqual(60 * (4 * 1024 + 64 * 1024))
  })
})
