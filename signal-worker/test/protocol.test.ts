import { describe, expect, it } from 'vitest'
import { eventFrame } from '../src/frames'
import { parseFrame, type Command } from '../src/protocol'
import { nostrEvent } from './support/client'

const command = (text: string): Command => {
  const parsed = parseFrame(text, 250)
  if (!parsed.ok) throw new Error(`refused: ${parsed.refusal.code}: ${parsed.refusal.message}`)
  return parsed.command
}

describe('parseFrame', () => {
  it('reads a REQ as Trystero sends it, dropping repeated topics', () => {
    expect(
      command(JSON.stringify(['REQ', 's'.repeat(64), { kinds: [20_001, 20_002], since: 5, '#x': ['a', 'b', 'a'] }])),
    ).toEqual({
      verb: 'REQ',
      subId: 's'.repeat(64),
      filter: { topics: ['a', 'b'], kinds: [20_001, 20_002] },
    })
    expect(command('["REQ","id",{"#x":["t"],"limit":0}]')).toMatchObject({ filter: { kinds: null } })
  })

  it('cuts the event out of the frame byte for byte, whatever the spacing', () => {
    const event = nostrEvent('topic', 'a "quoted" ] bracket, and a comma')
    const raw = JSON.stringify(event, null, 2)
    const parsed = command(`[\n "EVENT" ,\t${raw}  \n]  `)
    expect(parsed).toMatchObject({ verb: 'EVENT', id: event.id, topic: 'topic', kind: event.kind, raw })
    expect(JSON.parse(eventFrame('sub', raw))).toEqual(['EVENT', 'sub', event])
  })

  it('names the event id when it refuses an event, so a rate limit can answer OK', () => {
    const event = nostrEvent('t', 'x', { kind: 1 })
    expect(parseFrame(JSON.stringify(['EVENT', event]), 250)).toMatchObject({ ok: false, eventId: event.id })
    expect(parseFrame('["EVENT",{"id":"nope"}]', 250)).toMatchObject({ ok: false, eventId: null })
  })

  it('refuses more topics than the limit with a limit code', () => {
    const parsed = parseFrame(JSON.stringify(['REQ', 'id', { '#x': ['a', 'b', 'c'] }]), 2)
    expect(parsed).toMatchObject({ ok: false, refusal: { code: 'limit' } })
  })
})
