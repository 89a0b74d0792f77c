/**
 * Property runs for tests: in the unit suite each property runs with its own fixed seed (a run that can find a new
 * counterexample is a flaky test); `npm run fuzz` (scripts/fuzz.ts) sets FUZZ_SEEDS and FUZZ_RUNS, and the same
 * properties run once per seed given, with that many runs each.
 */
import fc from 'fast-check'

/** Enough for every property here under load; under the fuzz runner a test runs for as long as its seeds take. */
const UNIT_TIMEOUT_MS = 60_000
const FUZZ_TIMEOUT_MS = 24 * 60 * 60 * 1000

interface FuzzSettings {
  readonly seeds: readonly number[]
  readonly runs: number | undefined
}

const fuzzSettings = (): FuzzSettings | undefined => {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env
  const seeds = env?.FUZZ_SEEDS
  if (seeds === undefined || seeds === '') return undefined
  const runs = Number(env?.FUZZ_RUNS)
  return {
    seeds: seeds.split(',').map((seed) => Number.parseInt(seed, 10) | 0),
    runs: Number.isInteger(runs) && runs > 0 ? runs : undefined,
  }
}

/** The timeout for a test that checks properties (`it(name, fn, propertyTimeout())`). */
export const propertyTimeout = (): number => (fuzzSettings() === undefined ? UNIT_TIMEOUT_MS : FUZZ_TIMEOUT_MS)

/**
 * Checks `property` with its fixed `seed` and `numRuns` in the unit suite, or with each seed the fuzz runner gives.
 * A failure's message carries `{ seed, path }` and the counterexample, to pin as a regression case.
 */
export const checkProperty = <Ts>(
  property: fc.IProperty<Ts>,
  parameters: fc.Parameters<Ts> & { readonly seed: number; readonly numRuns: number },
): void => {
  const fuzz = fuzzSettings()
  if (fuzz === undefined) {
    fc.assert(property, parameters)
    return
  }
  for (const seed of fuzz.seeds) fc.assert(property, { ...parameters, seed, numRuns: fuzz.runs ?? parameters.numRuns })
}
