/** The relay protocol, run against the real worker inside workerd. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nostrEvent, subId, TestSocket, type Frame } from './support/client'
import { startRelay, type Relay } from './support/relay'

let relay: Relay
const sockets: TestSocket[] = []
const open = async (shard = 'protocol'): Promise<TestSocket> => {
  const socket = await TestSocket.open(`${relay.wsBase}/r/${shard}`)
  sockets.push(socket)
  return socket
}

beforeAll(async () => {
  relay = await startRelay({ ALLOWED_SHARDS: 'protocol,forget,bad' })
})
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()))
  await relay.dispose()
})

describe('REQ, EVENT, CLOSE', () => {
  it('answers REQ with EOSE and EVENT with OK true', async () => {
    const alice = await open()
    alice.send(['REQ', 'sub-1', { kinds: [20_001], since: 1, '#x': ['topic-a'] }])
    expect(await alice.next()).toEqual(['EOSE', 'sub-1'])
    const event = nostrEvent('topic-b')
    expect(await alice.publish(event)).toEqual(['OK', event.id, true, ''])
  })

  it('forwards the event unchanged, with the subscriber’s id, to matching subscribers only', async () => {
    const [alice, bob, carol] = [await open(), await open(), await open()]
    const bobSub = subId()
    await bob.subscribe(bobSub, ['room', 'other'])
    await carol.subscribe(subId(), ['elsewhere'])
    const event = nostrEvent('room', 'ciphertext with "quotes" and ünïcode')
    // Spaces and key order the relay must keep: it splices, never re-encodes.
    const rawEvent = JSON.stringify(event, null, 1)
    alice.send(`[ "EVENT" ,${rawEvent} ]`)
    expect(await alice.next()).toEqual(['OK', event.id, true, ''])
    expect(await bob.nextText()).toBe(`["EVENT",${JSON.stringify(bobSub)},${rawEvent}]`)
    // Carol's first frame is an event for her own topic: the one for `room` never came before it.
    const mine = nostrEvent('elsewhere')
    expect(await alice.publish(mine)).toEqual(['OK', mine.id, true, ''])
    expect((await carol.next())[2]).toEqual(mine)
  })

  it('does not echo an event to its sender', async () => {
    const [alice, bob] = [await open(), await open()]
    await alice.subscribe(subId(), ['shared'])
    await bob.subscribe(subId(), ['shared'])
    const event = nostrEvent('shared')
    // The fan-out to a socket would be written before that socket's OK.
    expect(await alice.publish(event)).toEqual(['OK', event.id, true, ''])
    expect((await bob.next())[2]).toEqual(event)
    expect(alice.pending).toBe(0)
  })

  it('honours the kinds of a filter', async () => {
    const [alice, bob] = [await open(), await open()]
    await bob.subscribe(subId(), ['kinds'], { kinds: [20_002] })
    const other = nostrEvent('kinds', 'skip', { kind: 20_003 })
    const wanted = nostrEvent('kinds', 'take', { kind: 20_002 })
    await alice.publish(other)
    await alice.publish(wanted)
    expect((await bob.next())[2]).toEqual(wanted)
  })

  it('delivers once per matching subscription, as NIP-01 says', async () => {
    const [alice, bob] = [await open(), await open()]
    const [first, second] = [subId(), subId()]
    await bob.subscribe(first, ['twice'])
    await bob.subscribe(second, ['twice'])
    await alice.publish(nostrEvent('twice'))
    const ids = [(await bob.next())[1], (await bob.next())[1]]
    expect(ids.sort()).toEqual([first, second].sort())
  })

  it('stops delivery after CLOSE', async () => {
    const [alice, bob] = [await open(), await open()]
    const closing = subId()
    await bob.subscribe(closing, ['closing'])
    await bob.subscribe(subId(), ['marker'])
    bob.send(['CLOSE', closing])
    // CLOSE has no answer; a REQ after it is answered only once the CLOSE is done.
    await bob.subscribe(subId(), ['unrelated'])
    await alice.publish(nostrEvent('closing'))
    const marker = nostrEvent('marker')
    await alice.publish(marker)
    expect((await bob.next())[2]).toEqual(marker)
  })

  it('replaces the filter when a REQ reuses a subscription id', async () => {
    const [alice, bob] = [await open(), await open()]
    const id = subId()
    await bob.subscribe(id, ['before'])
    await bob.subscribe(id, ['after'])
    await alice.publish(nostrEvent('before'))
    const after = nostrEvent('after')
    await alice.publish(after)
    expect(await bob.next()).toEqual(['EVENT', id, after])
  })

  it('forgets a closed socket', async () => {
    const [alice, bob] = [await open('forget'), await open('forget')]
    await bob.subscribe(subId(), ['gone'])
    await bob.close()
    const event = nostrEvent('gone')
    expect(await alice.publish(event)).toEqual(['OK', event.id, true, ''])
  })
})

describe('bad input', () => {
  const event = nostrEvent('t')
  const cases: readonly (readonly [string, Frame | string | Uint8Array<ArrayBuffer>, string])[] = [
    ['not JSON', '["REQ",', 'invalid: '],
    ['not an array', '{"verb":"REQ"}', 'invalid: '],
    ['an empty array', '[]', 'invalid: '],
    ['a verb that is not a string', [1, 2], 'invalid: '],
    ['an unknown verb', ['AUTH', 'challenge'], 'unsupported: '],
    ['a COUNT', ['COUNT', 'id', {}], 'unsupported: '],
    ['a REQ without a subscription id', ['REQ'], 'invalid: '],
    ['a REQ with an empty subscription id', ['REQ', '', { '#x': ['t'] }], 'invalid: '],
    ['a REQ with a 65-character subscription id', ['REQ', 'a'.repeat(65), { '#x': ['t'] }], 'invalid: '],
    ['a REQ with two filters', ['REQ', 's', { '#x': ['t'] }, { '#x': ['u'] }], 'unsupported: '],
    ['a REQ whose filter is not an object', ['REQ', 's', ['t']], 'invalid: '],
    ['a REQ without #x', ['REQ', 's', { kinds: [20_000] }], 'invalid: '],
    ['a REQ with an empty #x', ['REQ', 's', { '#x': [] }], 'invalid: '],
    ['a REQ with a topic that is not a string', ['REQ', 's', { '#x': [7] }], 'invalid: '],
    ['a REQ with a 65-character topic', ['REQ', 's', { '#x': ['t'.repeat(65)] }], 'invalid: '],
    ['a REQ asking for authors', ['REQ', 's', { '#x': ['t'], authors: ['a'] }], 'unsupported: '],
    ['a REQ with kinds that are not integers', ['REQ', 's', { '#x': ['t'], kinds: ['1'] }], 'invalid: '],
    ['a CLOSE without an id', ['CLOSE'], 'invalid: '],
    ['an EVENT without an event', ['EVENT'], 'invalid: '],
    ['an EVENT that is not an object', ['EVENT', 'e'], 'invalid: '],
    ['an EVENT with an id that is not hex', ['EVENT', { ...event, id: 'x'.repeat(64) }], 'invalid: '],
    ['an EVENT of a stored kind', ['EVENT', { ...event, kind: 1 }], 'invalid: only ephemeral kinds'],
    ['an EVENT of a replaceable kind', ['EVENT', { ...event, kind: 30_000 }], 'invalid: only ephemeral kinds'],
    ['an EVENT without an x tag', ['EVENT', { ...event, tags: [['p', 'k']] }], 'invalid: '],
    [
      'an EVENT with two x tags',
      [
        'EVENT',
        {
          ...event,
          tags: [
            ['x', 'a'],
            ['x', 'b'],
          ],
        },
      ],
      'invalid: ',
    ],
    ['an EVENT with malformed tags', ['EVENT', { ...event, tags: 'x' }], 'invalid: '],
    ['an EVENT without a signature', ['EVENT', { ...event, sig: undefined }], 'invalid: '],
    ['an EVENT with content that is not text', ['EVENT', { ...event, content: {} }], 'invalid: '],
    ['an EVENT with extra elements', ['EVENT', event, event], 'invalid: '],
    ['a binary frame', new Uint8Array([1, 2, 3]), 'invalid: binary'],
  ]

  it.each(cases)('answers %s with a NOTICE and keeps the socket and the others working', async (_, frame, reason) => {
    const [sender, bystander] = [await open('bad'), await open('bad')]
    const topic = subId()
    await bystander.subscribe(subId(), [topic])
    sender.send(frame)
    const notice = await sender.next()
    expect(notice[0]).toBe('NOTICE')
    expect(String(notice[1])).toContain(reason)
    // Still usable afterwards, and the bystander still gets what is meant for it.
    await sender.subscribe(subId(), ['after-bad-input'])
    const good = nostrEvent(topic)
    expect(await sender.publish(good)).toEqual(['OK', good.id, true, ''])
    expect((await bystander.next())[2]).toEqual(good)
    await Promise.all([sender.close(), bystander.close()])
  })
})
