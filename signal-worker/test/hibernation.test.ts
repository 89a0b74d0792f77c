/**
 * Hibernation: the shard's Durable Object is evicted while its sockets stay
 * open (Miniflare's `unsafeEvictDurableObject` with `webSockets: 'hibernate'`,
 * what Cloudflare does to an idle object). The next event builds a new object,
 * which must rebuild the topic index from the socket attachments alone.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { nostrEvent, subId, TestSocket } from './support/client'
import { startRelay, type Relay } from './support/relay'

let relay: Relay
const shard = 'sleepy'
const sockets: TestSocket[] = []
const open = async (): Promise<TestSocket> => {
  const socket = await TestSocket.open(`${relay.wsBase}/r/${shard}`)
  sockets.push(socket)
  return socket
}
const health = async (): Promise<Record<string, unknown>> =>
  (await (await fetch(`${relay.httpBase}/health?shard=${shard}`)).json()) as Record<string, unknown>

beforeAll(async () => {
  relay = await startRelay({ MAX_SUBSCRIPTIONS_PER_SOCKET: '2', ALLOWED_SHARDS: shard })
})
afterAll(async () => {
  await Promise.all(sockets.filter((socket) => socket.isOpen).map((socket) => socket.close()))
  await relay.dispose()
})

it('keeps subscriptions, closes, replacements and limits across a wake-up', async () => {
  const [alice, bob, carol, dave] = [await open(), await open(), await open(), await open()]
  const bobSub = subId()
  await bob.subscribe(bobSub, ['a', 'b'])
  const bobClosed = subId()
  await bob.subscribe(bobClosed, ['c'])
  bob.send(['CLOSE', bobClosed])
  const carolSub = subId()
  await carol.subscribe(carolSub, ['old'])
  await carol.subscribe(carolSub, ['new'])
  await dave.subscribe(subId(), ['a'])
  const before = await health()
  expect(before).toMatchObject({ sockets: 4, subscriptions: 3, topics: 3 })

  await relay.hibernate(shard)

  const after = await health()
  expect(after.instance).not.toBe(before.instance)
  expect(after).toMatchObject({ sockets: 4, subscriptions: 3, topics: 3 })

  // Delivery follows the rebuilt index: CLOSE and replacement still hold.
  await alice.publish(nostrEvent('c'))
  await alice.publish(nostrEvent('old'))
  const toBob = nostrEvent('a')
  await alice.publish(toBob)
  expect(await bob.next()).toEqual(['EVENT', bobSub, toBob])
  expect((await dave.next())[2]).toEqual(toBob)
  const toCarol = nostrEvent('new')
  await alice.publish(toCarol)
  expect(await carol.next()).toEqual(['EVENT', carolSub, toCarol])

  // The sender is still recognised as itself: no echo after the wake-up.
  const fromBob = nostrEvent('a')
  expect(await bob.publish(fromBob)).toEqual(['OK', fromBob.id, true, ''])
  expect((await dave.next())[2]).toEqual(fromBob)

  // Limits count the restored subscriptions: bob has 1 of 2, so one more fits and a third does not.
  await bob.subscribe(subId(), ['d'])
  bob.send(['REQ', subId(), { '#x': ['e'] }])
  expect((await bob.next())[0]).toBe('NOTICE')

  // A socket that closes after the wake-up is forgotten by the new object.
  await dave.close()
  const afterClose = nostrEvent('a')
  await alice.publish(afterClose)
  expect((await bob.next())[2]).toEqual(afterClose)
  expect(await health()).toMatchObject({ sockets: 3 })
})

it('survives several hibernations in a row, with new sockets joining in between', async () => {
  const first = await open()
  await first.subscribe(subId(), ['loop'])
  const sender = await open()
  for (let round = 0; round < 3; round++) {
    await relay.hibernate(shard)
    const late = await open()
    await late.subscribe(subId(), ['loop'])
    const event = nostrEvent('loop', `round ${round}`)
    await sender.publish(event)
    expect((await first.next())[2]).toEqual(event)
    expect((await late.next())[2]).toEqual(event)
  }
})
