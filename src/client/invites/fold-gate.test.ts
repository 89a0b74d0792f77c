import { describe, expect, it } from 'vitest'
import { FOLD_SHARE, foldGate, MAX_REFUTED, type FoldOutcome } from './fold-gate'

/** A gate on a clock the folds move, with its pauses held until the test ends them. */
const setup = () => {
  let clock = 0
  const pauses: { ms: number; fire: () => void }[] = []
  const gate = foldGate({
    after: (ms, fire) => {
      pauses.push({ ms, fire })
      return () => undefined
    },
    now: () => clock,
  })
  const folded: string[] = []
  /** A fold of `identity` that takes `ms` and ends as `outcome`. */
  const fold = (identity: string, outcome: FoldOutcome, ms = 10) =>
    gate.offer(identity, () => {
      folded.push(identity)
      clock += ms
      return outcome
    })
  const resume = () => pauses.shift()?.fire()
  return { gate, fold, folded, pauses, resume }
}

describe('the guest’s fold gate (review 14 H1)', () => {
  it('folds at once, then waits four times as long as the fold took before the next', () => {
    const { fold, folded, pauses, resume } = setup()
    expect(fold('ada', 'refuted', 500)).toBe(true)
    expect(folded).toEqual(['ada'])
    expect(pauses.map((pause) => pause.ms)).toEqual([500 * (1 / FOLD_SHARE - 1)])
    expect(pauses[0]?.ms).toBe(2_000)
    expect(fold('eve', 'refuted')).toBe(true)
    expect(folded).toEqual(['ada'])
    resume()
    expect(folded).toEqual(['ada', 'eve'])
  })

  it('never folds again an identity whose log refuted it; a proved host may come back', () => {
    const { fold, folded, resume } = setup()
    fold('mallory', 'refuted')
    resume()
    expect(fold('mallory', 'refuted')).toBe(false)
    fold('ada', 'proved')
    resume()
    expect(fold('ada', 'proved')).toBe(true)
    expect(folded).toEqual(['mallory', 'ada', 'ada'])
  })

  it(`after ${String(MAX_REFUTED)} refuted identities still folds one never refuted, one waiting at a time (review 15)`, () => {
    const { fold, folded, resume } = setup()
    for (let at = 0; at < MAX_REFUTED; at++) {
      fold(`removed-${String(at)}`, 'refuted')
      resume()
    }
    expect(fold('removed-0', 'refuted')).toBe(false)
    // The removed admin's next identity comes first; the real host's offer still gets the fold after it.
    expect(fold('removed-next', 'refuted')).toBe(true)
    expect(fold('ada', 'proved')).toBe(true)
    expect(folded).toHaveLength(MAX_REFUTED + 1)
    // While one waits, no other is held (each may be 2 MiB).
    expect(fold('removed-more', 'refuted')).toBe(false)
    resume()
    expect(folded).toEqual([
      ...Array.from({ length: MAX_REFUTED }, (_, at) => `removed-${String(at)}`),
      'removed-next',
      'ada',
    ])
  })

  it('holds one offer per identity, the latest, and at most four while it waits', () => {
    const { fold, folded, resume } = setup()
    fold('first', 'skipped')
    expect(fold('a', 'skipped')).toBe(true)
    expect(fold('a', 'refuted')).toBe(true)
    for (const identity of ['b', 'c', 'd']) expect(fold(identity, 'skipped')).toBe(true)
    expect(fold('e', 'skipped')).toBe(false)
    for (let at = 0; at < 3; at++) resume()
    expect(folded).toEqual(['first', 'a', 'b', 'c'])
    resume()
    expect(folded).toEqual(['first', 'a', 'b', 'c', 'd'])
    expect(fold('a', 'proved')).toBe(false)
  })

  it('folds nothing once stopped', () => {
    const { gate, fold, folded } = setup()
    gate.stop()
    expect(fold('ada', 'proved')).toBe(false)
    expect(folded).toEqual([])
  })
})
