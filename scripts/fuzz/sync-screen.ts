/** Mutated genuine sync messages from a viewer through echo's sync screen (`withoutChanges`, `knownHeads`). */
import type { FuzzTarget } from './target.ts'

export const target: FuzzTarget = {
  name: 'sync-screen',
  files: ['src/echo/sync-screen-fuzz.test.ts'],
  runs: 1_500,
  seedsPerRound: 2,
}
