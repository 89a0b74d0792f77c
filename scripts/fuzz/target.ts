/** A fuzz target (one file in scripts/fuzz/ exporting `target`): test files whose properties read the runner's seeds. */
export interface FuzzTarget {
  readonly name: string
  /** Test files whose properties run through `checkProperty` (src/base/testing/properties.ts). */
  readonly files: readonly string[]
  /** Runs per seed and property (the unit suite runs far fewer). */
  readonly runs: number
  /** Seeds per vitest run (each run pays a few seconds to start). */
  readonly seedsPerRound: number
  /** Runs after the others in each pass (a round of it takes minutes). */
  readonly slow?: boolean
}
