import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SpaceId } from '../ids'
import { makeActor, openTestEcho } from '../testing/fixtures'
import { rootOf } from '../testing/internals'

/** Every root field a peer can write. */
const FIELDS = ['kind', 'space', 'name', 'personal', 'log', 'documents', 'epochs', 'identity', 'spaces', 'spaceKeys']

const junk = fc.oneof(
  fc.constant(null),
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.oneof(fc.integer(), fc.string())),
  fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.boolean())).map(
    // fast-check's records have no prototype; Automerge stores plain objects.
    (record) => ({ ...record }),
  ),
  fc.constant({ ['k'.repeat(10_000)]: 'objects' }),
)

describe('space root listeners under junk a peer wrote', () => {
  it('never throw, and every listener hears the next valid change (pinned seed)', async () => {
    const echo = openTestEcho()
    const actor = makeActor()
    const personal = await echo.createSpace(actor, 'Ada', { personal: true })
    const root = rootOf(personal)
    const other = 'c'.repeat(64) as SpaceId
    let round = 0
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), junk, (field, value) => {
        const heard = { name: 0, spaces: 0, boxes: 0, credentials: 0 }
        const stops = [
          personal.liveName.subscribe(() => (heard.name += 1)),
          personal.listedSpaces.subscribe(() => (heard.spaces += 1)),
          personal.swarmBoxes(other).subscribe(() => (heard.boxes += 1)),
          personal.identityCredentials(() => (heard.credentials += 1)).stop,
        ]
        expect(() => {
          root.change((doc) => {
            ;(doc as unknown as Record<string, unknown>)[field] = value
          })
        }).not.toThrow()
        round += 1
        expect(() => {
          root.change((doc) => {
            const raw = doc as unknown as Record<string, unknown>
            raw.name = `valid ${String(round)}`
            raw.spaces = { [other]: { root: 'junk' } }
            raw.spaceKeys = {}
            raw.identity = {}
          })
        }).not.toThrow()
        for (const stop of stops) stop()
        expect(Object.values(heard).every((count) => count >= 1)).toBe(true)
        expect(personal.liveName.get()).toBe(`valid ${String(round)}`)
      }),
      { seed: 1126, numRuns: 120 },
    )
    await echo.close()
  })
})
