/** 500 sockets on one shard, in workerd. */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { nostrEvent, subId, TestSocket } from './support/client'
import { startRelay, type Relay } from './support/relay'

const COUNT = 500
let relay: Relay
let sockets: TestSocket[] = []

beforeAll(async () => {
  // Every socket here comes from one address, which would otherwise share one frame budget.
  relay = await startRelay({
    MAX_CONNECTIONS_PER_IP: String(COUNT + 10),
    ADDRESS_RATE_BURST: String(COUNT * 4),
    ALLOWED_SHARDS: 'crowd',
  })
})
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()))
  await relay.dispose()
})

it(`holds ${COUNT} concurrent sockets on one shard and routes among all of them`, { timeout: 60_000 }, async () => {
  sockets = await Promise.all(Array.from({ length: COUNT }, () => TestSocket.open(`${relay.wsBase}/r/crowd`)))
  await Promise.all(sockets.map((socket, i) => socket.subscribe(subId(), ['everyone', `own-${i}`])))
  const health = (await (await fetch(`${relay.httpBase}/health?shard=crowd`)).json()) as Record<string, unknown>
  expect(health).toMatchObject({ sockets: COUNT, subscriptions: COUNT, topics: COUNT + 1 })

  // One event to everyone reaches the other 499.
  const [sender, ...others] = sockets as [TestSocket, ...TestSocket[]]
  const broadcast = nostrEvent('everyone')
  expect(await sender.publish(broadcast)).toEqual(['OK', broadcast.id, true, ''])
  const received = await Promise.all(others.map((socket) => socket.next()))
  expect(received.every((frame) => frame[0] === 'EVENT' && (frame[2] as { id: string }).id === broadcast.id)).toBe(true)

  // Each socket writes to the next one's own topic: every event reaches exactly its addressee.
  const notes = sockets.map((_, i) => nostrEvent(`own-${(i + 1) % COUNT}`, `from ${i}`))
  sockets.forEach((socket, i) => {
    socket.send(['EVENT', notes[i]])
  })
  const inboxes = await Promise.all(sockets.map(async (socket) => [await socket.next(), await socket.next()]))
  inboxes.forEach((frames, i) => {
    const event = frames.find((frame) => frame[0] === 'EVENT')?.[2] as { content: string } | undefined
    expect(event?.content).toBe(`from ${(i + COUNT - 1) % COUNT}`)
    expect(frames.find((frame) => frame[0] === 'OK')?.[2]).toBe(true)
  })
  expect(sockets.every((socket) => socket.pending === 0)).toBe(true)
})
