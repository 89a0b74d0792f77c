import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TopicIndex, type Subscription } from '../src/topic-index'

const sub = (conn: string, subId: string, topics: string[], kinds: number[] | null = null): Subscription<string> => ({
  conn,
  subId,
  topics,
  kinds: kinds === null ? null : new Set(kinds),
})

describe('TopicIndex', () => {
  it('matches by topic and kind, and forgets removed subscriptions', () => {
    const index = new TopicIndex<string>()
    const any = sub('a', '1', ['t', 'u'])
    const picky = sub('b', '2', ['t'], [20_001])
    index.add(any)
    index.add(picky)
    expect([...index.match('t', 20_001)]).toEqual([any, picky])
    expect([...index.match('t', 20_002)]).toEqual([any])
    expect([...index.match('v', 20_001)]).toEqual([])
    index.remove(any)
    expect([...index.match('u', 20_001)]).toEqual([])
    expect(index.topicCount).toBe(1)
  })

  it('agrees with a scan of the live subscriptions after any sequence of adds and removes', () => {
    const topic = fc.constantFrom('a', 'b', 'c', 'd')
    const step = fc.record({ add: fc.boolean(), slot: fc.nat(5), topics: fc.uniqueArray(topic, { minLength: 1 }) })
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const index = new TopicIndex<string>()
        const live = new Map<number, Subscription<string>>()
        for (const { add, slot, topics } of steps) {
          const previous = live.get(slot)
          if (previous !== undefined) index.remove(previous)
          live.delete(slot)
          if (add) {
            const next = sub(`conn-${slot}`, String(slot), topics)
            index.add(next)
            live.set(slot, next)
          }
        }
        for (const t of ['a', 'b', 'c', 'd']) {
          const expected = [...live.values()].filter((s) => s.topics.includes(t))
          expect(new Set(index.match(t, 20_000))).toEqual(new Set(expected))
        }
        expect(index.topicCount).toBe(new Set([...live.values()].flatMap((s) => s.topics)).size)
      }),
      { seed: 20_261_122 },
    )
  })
})
