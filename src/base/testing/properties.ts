/**
 * Property runs for tests: in the unit suite each property runs with its own fixed seed (a run that can find a new
 * counterexample is a flaky test); `npm run fuzz` (scripts/fuzz.ts) sets FUZZ_SEEDS and FUZZ_RUNS, and the same
 * properties run once per seed given, with that many runs each. Under the runner each property prints the runs
 * it made (`fuzz-runs <n>`), which the runner adds up into the inputs of a round.
 */
import fc from 'fast-check'

/** Enough for every property here under load; under the fuzz runner a test runs for as long as its seeds take. */
const UNIT_TIMEOUT_MS = 60_000
const FUZZ_TIMEOUT_MS = 24 * 60 * 60 * 1000
/**
 * The longest one input may take: 1 s under the fuzz runner (longer is a hang); the unit suite shares a loaded
 * 2-core machine with other suites, where a pause is not a hang, so it allows more.
 */
const FUZZ_INPUT_MS = 1_000
const UNIT_INPUT_MS = 5_000

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

/** How long one input of a fuzz property may take before it counts as a hang. */
export const inputDeadlineMs = (): number => (fuzzSettings() === undefined ? UNIT_INPUT_MS : FUZZ_INPUT_MS)

/** Throws when `started` (a `performance.now()`) is longer ago than one input may take. */
export const expectNoHang = (started: number, what: string): void => {
  const took = performance.now() - started
  if (took > inputDeadlineMs()) throw new Error(`${what} took ${took.toFixed(0)} ms, over ${inputDeadlineMs()} ms`)
}

type Runs<Ts> = fc.Parameters<Ts> & { readonly seed: number; readonly numRuns: number }

/** The fast-check parameters of each run: the given ones, or one per seed the fuzz runner gives. */
const runsOf = <Ts>(parameters: Runs<Ts>, fuzz: FuzzSettings | undefined): Runs<Ts>[] =>
  fuzz === undefined
    ? [parameters]
    : fuzz.seeds.map((seed) => ({ ...parameters, seed, numRuns: fuzz.runs ?? parameters.numRuns }))

const counted = (fuzz: FuzzSettings | undefined, runs: number): void => {
  if (fuzz !== undefined) console.log(`fuzz-runs ${String(runs)}`)
}

/**
 * Checks `property` with its fixed `seed` and `numRuns` in the unit suite, or with each seed the fuzz runner gives.
 * A failure's message carries `{ seed, path }` and the counterexample, to pin as a regression case.
 */
export const checkProperty = <Ts>(property: fc.IProperty<Ts>, parameters: Runs<Ts>): void => {
  const fuzz = fuzzSettings()
  for (const run of runsOf(parameters, fuzz)) {
    fc.assert(property, run)
    counted(fuzz, run.numRuns)
  }
}

/** `checkProperty` for a property whose predicate is async. */
export const checkAsyncProperty = async <Ts>(property: fc.IAsyncProperty<Ts>, parameters: Runs<Ts>): Promise<void> => {
  const fuzz = fuzzSettings()
  for (const run of runsOf(parameters, fuzz)) {
    await fc.assert(property, run)
    counted(fuzz, run.numRuns)
  }
}
