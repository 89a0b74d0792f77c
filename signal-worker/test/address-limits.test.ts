/**
 * Per-address limits against the real worker in workerd: one frame and byte
 * budget shared by an address's sockets, which header names the address, and
 * IPv6 counted by /64.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { handshakeStatus, nostrEvent, TestSocket, type Frame } from './support/client'
import { startRelay, type Relay } from './support/relay'

let relay: Relay | undefined
const sockets: TestSocket[] = []
const start = async (vars: Record<string, string>): Promise<Relay> => {
  relay = await startRelay({ ALLOWED_SHARDS: 'main', ...vars })
  return relay
}
const open = async (base: Relay, headers?: Record<string, string>): Promise<TestSocket> => {
  const socket = await TestSocket.open(`${base.wsBase}/r/main`, headers)
  sockets.push(socket)
  return socket
}
afterEach(async () => {
  await Promise.all(
    sockets
      .splice(0)
      .filter((socket) => socket.isOpen)
      .map((socket) => socket.close()),
  )
  await relay?.dispose()
  relay = undefined
})

/** Sends `count` events on each socket at once; returns every OK, in no particular order. */
const flood = async (senders: readonly TestSocket[], count: number, content: string): Promise<Frame[]> => {
  const events = senders.map(() => Array.from({ length: count }, () => nostrEvent('flood', content)))
  senders.forEach((socket, i) => {
    for (const event of events[i] ?? []) socket.send(['EVENT', event])
  })
  const replies = await Promise.all(senders.map((socket) => Promise.all(events[0]?.map(() => socket.next()) ?? [])))
  return replies.flat()
}

describe('one budget per address, shared by its sockets', () => {
  it('counts frames: more sockets from one address buy no more frames', async () => {
    const base = await start({
      RATE_BURST: '100',
      RATE_PER_SECOND: '1',
      ADDRESS_RATE_BURST: '10',
      ADDRESS_RATE_PER_SECOND: '1',
    })
    const senders = [await open(base), await open(base), await open(base)]
    const started = Date.now()
    const replies = await flood(senders, 6, 'small')
    const seconds = (Date.now() - started) / 1000
    const accepted = replies.filter((reply) => reply[2] === true)
    // Each socket's own bucket (100) would take all 18; the address's holds 10, plus 1 a second.
    expect(accepted.length).toBeGreaterThanOrEqual(10)
    expect(accepted.length).toBeLessThanOrEqual(10 + Math.ceil(seconds))
    const refused = replies.filter((reply) => reply[2] === false)
    expect(refused.length).toBeGreaterThan(0)
    for (const reply of refused) {
      expect(reply[0]).toBe('OK')
      expect(String(reply[3])).toMatch(/^rate-limited: at most 1 frames per second from one address$/)
    }
  })

  it('counts bytes: large frames from several sockets drain the address’s byte budget', async () => {
    const base = await start({ MAX_FRAME_BYTES: '2000', ADDRESS_BYTES_BURST: '4000', ADDRESS_BYTES_PER_SECOND: '1' })
    const senders = [await open(base), await open(base)]
    // About 1,700 bytes each: two fit in 4,000 bytes, four do not.
    const replies = await flood(senders, 2, 'b'.repeat(1500))
    const accepted = replies.filter((reply) => reply[2] === true)
    expect(accepted.length).toBe(2)
    for (const reply of replies.filter((frame) => frame[2] === false)) {
      expect(reply[0]).toBe('OK')
      expect(String(reply[3])).toBe('rate-limited: at most 1 bytes per second from one address')
    }
    // The sockets stay open, and nothing but OK frames came back.
    expect(senders.every((socket) => socket.isOpen)).toBe(true)
    expect(replies.every((reply) => reply[0] === 'OK')).toBe(true)
  })
})

describe('which header names the address', () => {
  it('ignores a client-sent CF-Connecting-IP unless the worker is behind Cloudflare’s edge', async () => {
    const base = await start({ MAX_CONNECTIONS_PER_IP: '3' })
    for (let i = 1; i <= 3; i++) await open(base, { 'cf-connecting-ip': `198.51.100.${i}` })
    // A fourth invented address is still the same client.
    expect(await handshakeStatus(`${base.httpBase}/r/main`, { 'cf-connecting-ip': '198.51.100.4' })).toBe(429)
  })

  it('behind the edge, counts each address apart, and IPv6 by its /64', async () => {
    const base = await start({ MAX_CONNECTIONS_PER_IP: '3', BEHIND_CLOUDFLARE_EDGE: 'true' })
    const url = `${base.httpBase}/r/main`
    for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:0:0:0:3']) {
      await open(base, { 'cf-connecting-ip': ip })
    }
    expect(await handshakeStatus(url, { 'cf-connecting-ip': '2001:db8:1:2::4' })).toBe(429)
    expect(await handshakeStatus(url, { 'cf-connecting-ip': '2001:db8:1:3::1' })).toBe(101)
    for (let i = 0; i < 3; i++) await open(base, { 'cf-connecting-ip': '203.0.113.9' })
    expect(await handshakeStatus(url, { 'cf-connecting-ip': '203.0.113.9' })).toBe(429)
    expect(await handshakeStatus(url, { 'cf-connecting-ip': '::ffff:203.0.113.9' })).toBe(429)
    expect(await handshakeStatus(url, { 'cf-connecting-ip': '203.0.113.10' })).toBe(101)
  })
})

describe('shards', () => {
  it('serves only the shards of ALLOWED_SHARDS, on /r and on /health, without creating others', async () => {
    const base = await start({ ALLOWED_SHARDS: 'main, team' })
    expect(await handshakeStatus(`${base.httpBase}/r/team`)).toBe(101)
    expect(await handshakeStatus(`${base.httpBase}/r/invented`)).toBe(404)
    expect((await fetch(`${base.httpBase}/health?shard=invented`)).status).toBe(404)
    expect(await (await fetch(`${base.httpBase}/health`)).json()).toMatchObject({ ok: true, shard: 'main' })
    expect(await (await fetch(`${base.httpBase}/health?shard=team`)).json()).toMatchObject({ ok: true, shard: 'team' })
  })
})
