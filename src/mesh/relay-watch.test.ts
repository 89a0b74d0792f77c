import { describe, expect, it } from 'vitest'
import { MAX_REASON, type RelayStatus } from './relay-status'
import { watchRelays, type RelaySocket } from './relay-watch'

/** A relay socket as Trystero holds it: the watcher only listens. */
class FakeSocket extends EventTarget implements RelaySocket {
  readyState = 0

  open(): void {
    this.readyState = 1
    this.dispatchEvent(new Event('open'))
  }

  frame(data: unknown): void {
    this.dispatchEvent(new MessageEvent('message', { data }))
  }

  close(): void {
    this.readyState = 3
    this.dispatchEvent(new Event('close'))
  }
}

const honest = 'ws://127.0.0.1:1/r/main'
const hostile = 'ws://127.0.0.1:1/r/hostile'

const setup = () => {
  const sockets: Record<string, FakeSocket> = {}
  const seen: (readonly RelayStatus[])[] = []
  let tick = (): void => undefined
  let stopped = false
  const watch = watchRelays({
    urls: [hostile, honest, honest],
    sockets: () => sockets,
    every: (_ms, run) => {
      tick = run
      return () => {
        stopped = true
      }
    },
    onChange: (relays) => seen.push(relays),
  })
  return {
    sockets,
    seen,
    tick: () => {
      tick()
    },
    last: () => seen.at(-1),
    look: () => {
      watch.look()
    },
    stop: () => {
      watch.stop()
      return stopped
    },
  }
}

describe('watchRelays', () => {
  it('tells each relay apart: one refuses us, the other stays connected', () => {
    const watch = setup()
    expect(watch.last()).toEqual([
      { url: hostile, state: 'connecting' },
      { url: honest, state: 'connecting' },
    ])
    watch.sockets[hostile] = new FakeSocket()
    watch.sockets[honest] = new FakeSocket()
    watch.tick()
    watch.sockets[hostile].open()
    watch.sockets[honest].open()
    watch.sockets[honest].frame('["EOSE","s"]')
    watch.sockets[hostile].frame('junk')
    watch.sockets[hostile].frame('x'.repeat(1024 * 1024))
    watch.sockets[hostile].frame('["CLOSED","s","blocked: go away"]')
    // Trystero drops the relay: it closes the socket itself.
    watch.sockets[hostile].close()
    watch.tick()
    expect(watch.last()).toEqual([
      { url: hostile, state: 'refused', reason: 'blocked: go away', junk: 2 },
      { url: honest, state: 'connected' },
    ])
  })

  it('follows a redial: the new socket is listened to, the old one no longer', () => {
    const watch = setup()
    const first = new FakeSocket()
    first.readyState = 1
    watch.sockets[honest] = first
    watch.tick()
    expect(watch.last()?.[1]).toEqual({ url: honest, state: 'connected' })
    first.close()
    watch.tick()
    expect(watch.last()?.[1]).toEqual({ url: honest, state: 'unreachable' })
    const second = new FakeSocket()
    watch.sockets[honest] = second
    watch.tick()
    first.frame('["CLOSED","s","from the old socket"]')
    watch.tick()
    expect(watch.last()?.[1]).toEqual({ url: honest, state: 'unreachable' })
    second.open()
    watch.tick()
    expect(watch.last()?.[1]).toEqual({ url: honest, state: 'connected' })
  })

  it('tells only changes, at most once per poll, and stops listening when stopped', () => {
    const watch = setup()
    const socket = new FakeSocket()
    socket.readyState = 1
    watch.sockets[honest] = socket
    watch.tick()
    const told = watch.seen.length
    for (let i = 0; i < 100; i++) socket.frame('junk')
    watch.tick()
    watch.tick()
    expect(watch.seen.length).toBe(told + 1)
    expect(watch.last()?.[1]).toEqual({ url: honest, state: 'connected', junk: 100 })
    expect(watch.stop()).toBe(true)
    socket.frame('junk')
    watch.tick()
    expect(watch.seen.length).toBe(told + 1)
  })

  it('sees a socket that closed before it was first seen as unreachable', () => {
    const watch = setup()
    const socket = new FakeSocket()
    socket.readyState = 3
    watch.sockets[hostile] = socket
    watch.tick()
    expect(watch.last()?.[0]).toEqual({ url: hostile, state: 'unreachable' })
  })

  it('listens from the moment it is asked to look, so a relay that refuses at once is not missed', () => {
    const watch = setup()
    const socket = new FakeSocket()
    watch.sockets[hostile] = socket
    // Trystero makes the socket inside its first join; the caller looks right after, before any frame.
    watch.look()
    socket.open()
    socket.frame('["CLOSED","s","blocked: no"]')
    socket.close()
    watch.tick()
    expect(watch.last()?.[0]).toEqual({ url: hostile, state: 'refused', reason: 'blocked: no' })
  })

  it('agrees with Trystero on what it drops and what it keeps using (review 14, H5)', () => {
    const watch = setup()
    watch.sockets[hostile] = new FakeSocket()
    watch.sockets[honest] = new FakeSocket()
    watch.look()
    watch.sockets[hostile].open()
    watch.sockets[honest].open()
    // Trystero throws on a reason that is not text and keeps the relay: junk, not a refusal.
    watch.sockets[honest].frame('["OK","id",false,5]')
    // Trystero parses a 300 KB CLOSED whole and drops the relay, then closes its socket: refused, not unreachable.
    watch.sockets[hostile].frame(JSON.stringify(['CLOSED', 's', `blocked \u202E${'x'.repeat(300_000)}`]))
    watch.sockets[hostile].close()
    watch.tick()
    expect(watch.last()).toEqual([
      { url: hostile, state: 'refused', reason: `blocked ${'x'.repeat(MAX_REASON - 8)}` },
      { url: honest, state: 'connected', junk: 1 },
    ])
  })
})
