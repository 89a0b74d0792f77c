/** Every limit of `wrangler.toml`, and the HTTP surface, against the real worker in workerd. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, handshakeStatus, nostrEvent, subId, TestSocket } from './support/client'
import { startRelay, type Relay } from './support/relay'

let relay: Relay
const sockets: TestSocket[] = []
const open = async (shard: string): Promise<TestSocket> => {
  const socket = await TestSocket.open(`${relay.wsBase}/r/${shard}`)
  sockets.push(socket)
  return socket
}
const health = async (shard: string): Promise<Record<string, unknown>> =>
  (await (await fetch(`${relay.httpBase}/health?shard=${shard}`)).json()) as Record<string, unknown>

beforeAll(async () => {
  relay = await startRelay({
    MAX_FRAME_BYTES: '1000',
    MAX_SUBSCRIPTIONS_PER_SOCKET: '2',
    MAX_TOPICS_PER_SUBSCRIPTION: '5',
    MAX_TOPICS_PER_SOCKET: '8',
    RATE_BURST: '10',
    RATE_PER_SECOND: '1',
    MAX_CONNECTIONS_PER_IP: '3',
    ALLOWED_ORIGINS: 'https://app.example, http://127.0.0.1:*',
    ALLOWED_SHARDS: [
      'main',
      'frames',
      'subs',
      'topics',
      'socket-topics',
      'rate',
      'rate-garbage',
      'per-ip',
      'per-ip-2',
      'origins',
      'counted',
    ].join(','),
  })
})
afterAll(async () => {
  await Promise.all(sockets.filter((socket) => socket.isOpen).map((socket) => socket.close()))
  await relay.dispose()
})

const expectNotice = async (socket: TestSocket, prefix: string): Promise<void> => {
  const frame = await socket.next()
  expect(frame[0]).toBe('NOTICE')
  expect(String(frame[1])).toMatch(new RegExp(`^${prefix}: `))
}

describe('limits', () => {
  it('refuses frames over MAX_FRAME_BYTES, counted in UTF-8 bytes', async () => {
    const socket = await open('frames')
    const fits = nostrEvent('t', 'a'.repeat(500))
    expect(await socket.publish(fits)).toEqual(['OK', fits.id, true, ''])
    socket.send(['EVENT', nostrEvent('t', 'a'.repeat(1000))])
    await expectNotice(socket, 'limit')
    // 400 characters, 1200 bytes.
    socket.send(['EVENT', nostrEvent('t', 'é€'.repeat(200))])
    await expectNotice(socket, 'limit')
    await socket.subscribe(subId(), ['still-works'])
  })

  it('refuses a subscription beyond MAX_SUBSCRIPTIONS_PER_SOCKET, but replacing one is fine', async () => {
    const socket = await open('subs')
    const first = subId()
    await socket.subscribe(first, ['a'])
    await socket.subscribe(subId(), ['b'])
    socket.send(['REQ', subId(), { '#x': ['c'] }])
    await expectNotice(socket, 'limit')
    await socket.subscribe(first, ['d'])
    expect(await health('subs')).toMatchObject({ subscriptions: 2, topics: 2 })
  })

  it('refuses more than MAX_TOPICS_PER_SUBSCRIPTION in one REQ', async () => {
    const socket = await open('topics')
    socket.send(['REQ', subId(), { '#x': ['1', '2', '3', '4', '5', '6'] }])
    await expectNotice(socket, 'limit')
    await socket.subscribe(subId(), ['1', '2', '3', '4', '5'])
  })

  it('refuses topics beyond MAX_TOPICS_PER_SOCKET and keeps the subscriptions it had', async () => {
    const [socket, sender] = [await open('socket-topics'), await open('socket-topics')]
    await socket.subscribe(subId(), ['1', '2', '3', '4', '5'])
    socket.send(['REQ', subId(), { '#x': ['6', '7', '8', '9'] }])
    await expectNotice(socket, 'limit')
    await socket.subscribe(subId(), ['6', '7', '8'])
    const event = nostrEvent('5')
    await sender.publish(event)
    expect((await socket.next())[2]).toEqual(event)
  })

  it('rate-limits with OK false "rate-limited:", never CLOSED, and leaves other sockets alone', async () => {
    const [flooder, neighbour] = [await open('rate'), await open('rate')]
    const events = Array.from({ length: 14 }, () => nostrEvent('flood'))
    const started = Date.now()
    for (const event of events) flooder.send(['EVENT', event])
    const replies = await Promise.all(events.map(() => flooder.next()))
    const seconds = (Date.now() - started) / 1000
    const accepted = replies.filter((reply) => reply[2] === true)
    const refused = replies.filter((reply) => reply[2] === false)
    // The burst is 10, and one token per second comes back while the frames are in flight.
    expect(accepted.length).toBeGreaterThanOrEqual(10)
    expect(accepted.length).toBeLessThanOrEqual(10 + Math.ceil(seconds))
    expect(refused.length).toBeGreaterThan(0)
    for (const reply of refused) {
      expect(reply[0]).toBe('OK')
      expect(String(reply[3])).toMatch(/^rate-limited: /)
    }
    expect(replies.map((reply) => reply[0])).not.toContain('CLOSED')
    expect(flooder.isOpen).toBe(true)
    const calm = nostrEvent('calm')
    expect(await neighbour.publish(calm)).toEqual(['OK', calm.id, true, ''])
  })

  it('counts malformed frames against the same bucket', async () => {
    const socket = await open('rate-garbage')
    for (let i = 0; i < 12; i++) socket.send('not json')
    const notices = await Promise.all(Array.from({ length: 12 }, () => socket.next()))
    expect(notices.filter((frame) => String(frame[1]).startsWith('rate-limited: ')).length).toBeGreaterThan(0)
    expect(notices.every((frame) => frame[0] === 'NOTICE')).toBe(true)
  })

  it('refuses connections beyond MAX_CONNECTIONS_PER_IP with 429, and admits again after one closes', async () => {
    const url = `${relay.httpBase}/r/per-ip`
    const first = await open('per-ip')
    await open('per-ip')
    await open('per-ip')
    expect(await handshakeStatus(url)).toBe(429)
    // Another shard counts its own sockets.
    expect(await handshakeStatus(`${relay.httpBase}/r/per-ip-2`)).toBe(101)
    await first.close()
    await eventually(async () => (await health('per-ip')).sockets === 2, 'the closed socket to be forgotten')
    expect(await handshakeStatus(url)).toBe(101)
  })
})

describe('socket attachment', () => {
  it('refuses subscriptions that would not fit the 16 KiB attachment, and keeps the ones it had', async () => {
    const roomy = await startRelay({ MAX_TOPICS_PER_SOCKET: '2000', ALLOWED_SHARDS: 'big' })
    try {
      const [socket, sender] = await Promise.all([
        TestSocket.open(`${roomy.wsBase}/r/big`),
        TestSocket.open(`${roomy.wsBase}/r/big`),
      ])
      const kept = subId()
      await socket.subscribe(kept, ['small'])
      const longTopics = (prefix: string): string[] =>
        Array.from({ length: 250 }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`.padEnd(64, 'x'))
      socket.send(['REQ', subId(), { '#x': longTopics('a') }])
      expect(await socket.next()).toEqual(['NOTICE', expect.stringMatching(/^limit: subscriptions too large to keep/)])
      const event = nostrEvent('small')
      await sender.publish(event)
      expect(await socket.next()).toEqual(['EVENT', kept, event])
      await Promise.all([socket.close(), sender.close()])
    } finally {
      await roomy.dispose()
    }
  })
})

describe('origins', () => {
  const url = (): string => `${relay.httpBase}/r/origins`

  it('admits listed origins, any port where the entry says :*, and clients that send none', async () => {
    expect(await handshakeStatus(url(), { origin: 'https://app.example' })).toBe(101)
    expect(await handshakeStatus(url(), { origin: 'http://127.0.0.1:5173' })).toBe(101)
    expect(await handshakeStatus(url())).toBe(101)
  })

  it('refuses other origins with 403', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.evil', 'http://127.0.0.1', 'null']) {
      expect(await handshakeStatus(url(), { origin })).toBe(403)
    }
  })
})

describe('HTTP surface', () => {
  it('answers /health with the version and the counts of a shard', async () => {
    const socket = await open('counted')
    await socket.subscribe(subId(), ['x', 'y'])
    const body = await health('counted')
    expect(body).toMatchObject({ ok: true, shard: 'counted', sockets: 1, subscriptions: 1, topics: 2 })
    expect(body.version).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('answers other paths and methods with plain errors', async () => {
    expect((await fetch(`${relay.httpBase}/`)).status).toBe(404)
    expect((await fetch(`${relay.httpBase}/r/bad%20name`)).status).toBe(404)
    expect((await fetch(`${relay.httpBase}/r/main`)).status).toBe(426)
    expect((await fetch(`${relay.httpBase}/health`, { method: 'POST' })).status).toBe(405)
    expect((await fetch(`${relay.httpBase}/health?shard=${'x'.repeat(65)}`)).status).toBe(400)
  })
})

describe('configuration', () => {
  it('refuses to run with a limit that is not a positive integer', async () => {
    const broken = await startRelay({ RATE_BURST: 'lots' })
    try {
      expect(await handshakeStatus(`${broken.httpBase}/r/main`)).toBe(500)
      expect(await (await fetch(`${broken.httpBase}/health`)).text()).toMatch(/^bad-config: RATE_BURST/)
    } finally {
      await broken.dispose()
    }
  })
})
