import { describe, expect, it } from 'vitest'
import { generateKeyPair, type IdentityKey } from '../../halo'
import type { AuthenticatedPeer } from '../../mesh'
import { FORGET_UNSEEN_MS, GuestConnections } from './guest-connections'

const peerOf = (peerId: string): AuthenticatedPeer => ({
  peerId,
  repo: `cp1.${peerId}`,
  storage: null,
  identity: generateKeyPair<IdentityKey>().publicKey,
  device: generateKeyPair().publicKey,
  chain: null,
  transcript: new Uint8Array(32),
  invited: true,
})

/** Connections whose timers the test fires. */
const setup = () => {
  const timers: { ms: number; fire: () => void; cancelled: boolean }[] = []
  const connections = new GuestConnections((ms, fire) => {
    const timer = { ms, fire, cancelled: false }
    timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  })
  const fire = () => {
    for (const timer of timers.splice(0)) if (!timer.cancelled) timer.fire()
  }
  return { connections, timers, fire }
}

const offer = () => 'offer'
const busy = () => 'busy'

describe('an invitation room’s guest connections (review 14 H2)', () => {
  it('forgets a guest and its answer once it left: 20 connections that came and went leave nothing', () => {
    const { connections } = setup()
    for (let at = 0; at < 20; at++) {
      const peerId = `guest-${String(at)}`
      connections.passed(peerId, peerOf(peerId))
      expect(connections.present(new Map([[peerId, peerOf(peerId)]]))).toEqual([peerId])
      expect(connections.answer(peerId, offer, busy)).toBe('offer')
      connections.present(new Map())
      expect(connections.guest(peerId)).toBeUndefined()
    }
    expect(connections.size).toBe(0)
  })

  it(`forgets a guest never let in after ${String(FORGET_UNSEEN_MS / 1000)} s, and keeps one let in`, () => {
    const { connections, timers, fire } = setup()
    connections.passed('unbound', peerOf('unbound'))
    connections.passed('bound', peerOf('bound'))
    connections.present(new Map([['bound', peerOf('bound')]]))
    expect(timers.map((timer) => timer.ms)).toEqual([FORGET_UNSEEN_MS, FORGET_UNSEEN_MS])
    fire()
    expect(connections.guest('unbound')).toBeUndefined()
    expect(connections.guest('bound')).toBeDefined()
  })

  it('answers a connection at most 3 times; a busy one hears it once and is answered on a later hello', () => {
    const { connections } = setup()
    connections.passed('p', peerOf('p'))
    const sent = Array.from({ length: 5 }, () => connections.answer('p', offer, busy))
    expect(sent).toEqual(['offer', 'offer', 'offer', undefined, undefined])
    connections.passed('q', peerOf('q'))
    const none = () => undefined
    expect([connections.answer('q', none, busy), connections.answer('q', none, busy)]).toEqual(['busy', undefined])
    expect(connections.answer('q', offer, busy)).toBe('offer')
  })

  it('a new handshake on the same peer id is a new connection, answered again', () => {
    const { connections } = setup()
    connections.passed('p', peerOf('p'))
    for (let at = 0; at < 3; at++) connections.answer('p', offer, busy)
    connections.passed('p', peerOf('p'))
    expect(connections.answer('p', offer, busy)).toBe('offer')
  })

  it('takes a guest off while its one admission is judged, and keeps it once admitted', () => {
    const { connections } = setup()
    const peer = peerOf('p')
    connections.passed('p', peer)
    connections.judging('p')
    expect(connections.guest('p')).toBeUndefined()
    connections.admitted('p', peer)
    expect(connections.guest('p')).toBe(peer)
  })

  it('tells when a connection is gone or replaced by a new handshake, so its place in the offer line goes', () => {
    const left: string[] = []
    const connections = new GuestConnections(
      () => () => undefined,
      (peerId) => left.push(peerId),
    )
    connections.passed('p', peerOf('p'))
    connections.present(new Map([['p', peerOf('p')]]))
    connections.passed('p', peerOf('p'))
    connections.present(new Map())
    expect(left).toEqual(['p', 'p', 'p'])
  })
})
