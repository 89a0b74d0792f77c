import { describe, expect, it } from 'vitest'
import { closedWhenDropped, DISCONNECTED_CLOSE_MS } from './dropped-close'
import { FakeConnection } from './testing/fake-connection'

/** A connection whose states the test sets, as the browser would, and whose timers it fires. */
class StatefulConnection extends FakeConnection {
  connectionState: RTCPeerConnectionState = 'connected'
  iceConnectionState: RTCIceConnectionState = 'connected'

  set(state: RTCPeerConnectionState, ice: RTCIceConnectionState): void {
    this.connectionState = state
    this.iceConnectionState = ice
    this.dispatchEvent(new Event('connectionstatechange'))
  }

  override close(): void {
    super.close()
    this.connectionState = 'closed'
  }
}

const open = () => {
  const timers: { ms: number; run: () => void; cancelled: boolean }[] = []
  const after = (ms: number, run: () => void) => {
    const timer = { ms, run, cancelled: false }
    timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  }
  const fire = (): void => {
    for (const timer of timers.splice(0)) if (!timer.cancelled) timer.run()
  }
  const Closing = closedWhenDropped(StatefulConnection as unknown as typeof RTCPeerConnection, after)
  const connection = new Closing() as unknown as StatefulConnection
  return { connection, timers, fire }
}

describe('closedWhenDropped', () => {
  it('closes a connection disconnected for just under Trystero’s 5 s, which Trystero would forget half-open', () => {
    const { connection, timers, fire } = open()
    connection.set('disconnected', 'disconnected')
    expect(timers.map((timer) => timer.ms)).toEqual([DISCONNECTED_CLOSE_MS])
    expect(DISCONNECTED_CLOSE_MS).toBeLessThan(5_000)
    fire()
    expect(connection.closed).toBe(true)
  })

  it('keeps one that comes back in time, or that Trystero still reads as live (one of its two states connected)', () => {
    const back = open()
    back.connection.set('disconnected', 'disconnected')
    back.connection.set('connected', 'connected')
    back.fire()
    expect(back.connection.closed).toBe(false)
    const half = open()
    half.connection.set('connected', 'disconnected')
    expect(half.timers).toEqual([])
    half.connection.set('disconnected', 'checking')
    half.fire()
    expect(half.connection.closed).toBe(false)
  })

  it('closes a connection that fails, either state, at once: Trystero forgets it then, and ICE may come back', () => {
    for (const [state, ice] of [
      ['failed', 'disconnected'],
      ['connecting', 'failed'],
    ] as const) {
      const { connection, timers } = open()
      connection.set(state, ice)
      expect(connection.closed).toBe(true)
      expect(timers).toEqual([])
    }
  })

  it('closes the connection when its data channel closes or errs (Trystero forgets it then, and keeps it open)', () => {
    for (const event of ['close', 'error']) {
      const { connection } = open()
      const channel = connection.createDataChannel()
      channel.dispatchEvent(new Event(event))
      expect(connection.closed).toBe(true)
    }
  })
})
