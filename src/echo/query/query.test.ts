import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinWords, wordsOf } from './query'

/** Words from a small alphabet (so they repeat), with case, accents and Greek sigma, some over 32 letters long. */
const text = fc
  .array(
    fc.oneof(
      fc.constantFrom('Basil', 'basil', 'BEANS', 'ΟΔΟΣ', 'οδος', 'Été', 'x'.repeat(40), '42'),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 400 },
  )
  .map((words) => words.join(' '))

describe('joinWords', () => {
  it("gives a title's and a text's words read apart as wordsOf gives them read together", () => {
    fc.assert(
      fc.property(text, text, (title, body) => {
        expect(joinWords(wordsOf(title), wordsOf(body))).toEqual(wordsOf(`${title} ${body}`))
      }),
      { seed: 41, numRuns: 300 },
    )
  })
})
