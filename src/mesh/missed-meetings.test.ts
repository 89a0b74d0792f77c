import { describe, expect, it } from 'vitest'
import { MAX_REFUSED, MissedMeetings } from './missed-meetings'

const TEN_MINUTES = 600_000

/** A digest as `cp.met` carries it: 32 lowercase hex digits. */
const digest = (n: number): string => n.toString(16).padStart(32, '0')

describe('MissedMeetings', () => {
  it('does not miss a refused peer for 10 minutes, then does', () => {
    const missed = new MissedMeetings()
    missed.report('bob', 'b', new Set([digest(1)]))
    missed.refused(digest(1), 0)
    expect(missed.missing(new Set(), 1, TEN_MINUTES - 1)).toEqual([])
    expect(missed.missing(new Set(), 1, TEN_MINUTES)).toEqual([digest(1)])
  })

  it('keeps at most MAX_REFUSED refusals, the oldest out, where nothing asks what is missing (review 16, K5)', () => {
    // A link room never asks `missing`, which was all that let refusals go: a knocker refused under a fresh page id
    // each time added one for the room's life (100,000 held 21 MB).
    const missed = new MissedMeetings()
    for (let n = 0; n <= MAX_REFUSED; n++) missed.refused(digest(n), n)
    missed.report('bob', 'b', new Set([digest(0), digest(1)]))
    expect(missed.missing(new Set(), 1, MAX_REFUSED)).toEqual([digest(0)])
  })
})
