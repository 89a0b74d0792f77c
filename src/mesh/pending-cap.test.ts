import { describe, expect, it } from 'vitest'
import { registerChannel } from './action-types'
import { actionTypeOf, cappedPeerConnection, MAX_PENDING_BYTES, MAX_STRAY_BYTES, trustConnection } from './pending-cap'
import { FakeChannel, FakeConnection } from './testing/fake-connection'
import { roomFrame } from './testing/room-frames'

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

interface ActionWire {
  makeInternalAction(type: string): { onMessage(f: (data: unknown, id: string) => void): void }
  handleData(id: string, data: ArrayBuffer): void
}

/**
 * Trystero's own action wire, behind the channel as its shared peer feeds it (the room header taken off). It is an
 * internal file of `@trystero-p2p/core`, which `trystero` (the library this layer owns) bundles and exports no path
 * to: it is loaded here by its file, as `action-types.test.ts` reads Trystero's source (knip.jsonc says why).
 */
const wireFile = new URL('../../node_modules/@trystero-p2p/core/dist/action-wire.mjs', import.meta.url)
const { createActionWireManager } = (await import(wireFile.href)) as {
  createActionWireManager: (deps: object) => ActionWire
}
const trysteroWire = (channel: EventTarget): ActionWire => {
  const wire = createActionWireManager({
    getPeer: () => undefined,
    getPeerIds: () => [],
    canReceiveFromPeer: () => true,
    throwIfAborted: () => undefined,
  })
  channel.addEventListener('message', (event) => {
    const bytes = new Uint8Array((event as MessageEvent<ArrayBuffer>).data)
    const header = 3 + ((bytes[1] ?? 0) << 8) + (bytes[2] ?? 0)
    if (bytes[0] === 1) wire.handleData('mallory', bytes.slice(header).buffer)
  })
  return wire
}

describe('frames of an action type nobody here made (review 15, J6)', () => {
  it('are stopped before Trystero keeps them, and the connection is closed past 1 MiB of them', () => {
    const connection = new (cappedPeerConnection(FakeConnection as unknown as typeof RTCPeerConnection))()
    const channel = connection.createDataChannel('data')
    trustConnection(connection)
    const wire = trysteroWire(channel)
    const payload = new Uint8Array(16_000).fill(7)
    let sent = 0
    for (; sent < 2_000 && !(connection as unknown as FakeConnection).closed; sent++) {
      channel.dispatchEvent(message(roomFrame(sent % 2 === 0 ? 'zz' : 'cp.zz', sent & 0xffff, payload)))
    }
    // Trystero hands an action made later whatever it kept of its type: nothing was.
    const kept: unknown[] = []
    wire.makeInternalAction('zz').onMessage((data) => kept.push(data))
    wire.makeInternalAction('cp.zz').onMessage((data) => kept.push(data))
    expect(kept).toEqual([])
    expect(sent).toBe(Math.floor(MAX_STRAY_BYTES / (payload.length + 36 + 3 + 64)) + 1)
    expect((connection as unknown as FakeConnection).closed).toBe(true)
  })

  it('lets through Trystero’s own types, the binding, every channel a swarm made, and room presence frames', () => {
    registerChannel('cp.pending-cap-test')
    const connection = new (cappedPeerConnection(FakeConnection as unknown as typeof RTCPeerConnection, 1_000, 0))()
    const channel = connection.createDataChannel('data')
    const wire = trysteroWire(channel)
    const got: unknown[] = []
    for (const type of ['@_ping', 'cp.bind', 'cp.pending-cap-test'])
      wire.makeInternalAction(type).onMessage((d) => got.push(d))
    trustConnection(connection)
    channel.dispatchEvent(message(roomFrame('@_ping', 1, new Uint8Array([1]))))
    channel.dispatchEvent(message(roomFrame('cp.bind', 1, new Uint8Array([2]))))
    channel.dispatchEvent(message(roomFrame('cp.pending-cap-test', 1, new Uint8Array([3]))))
    // A room presence frame (version 2) carries no action.
    channel.dispatchEvent(message(new Uint8Array([2, 1, 0, 1, 97]).buffer))
    expect(got).toEqual([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])])
    expect((connection as unknown as FakeConnection).closed).toBe(false)
  })

  it('reads the action type as Trystero does', () => {
    expect(actionTypeOf(roomFrame('cp.am', 0, new Uint8Array(4)))).toBe('cp.am')
    expect(actionTypeOf(roomFrame('@_hsdata', 0, new Uint8Array()))).toBe('@_hsdata')
    expect(actionTypeOf(new Uint8Array([1, 0, 0]).buffer)).toBeUndefined()
    expect(actionTypeOf(new Uint8Array([2, 1, 0, 1, 97]).buffer)).toBeUndefined()
    expect(actionTypeOf('text')).toBeUndefined()
  })
})
