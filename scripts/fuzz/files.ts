/** Mutated genuine space files (read, checked, imported) and identity files (envelope and payload). */
import type { FuzzTarget } from './target.ts'

export const target: FuzzTarget = {
  name: 'files',
  files: ['src/echo/transfer/space-file-fuzz.test.ts', 'src/halo/recovery/identity-file-fuzz.test.ts'],
  runs: 500,
  seedsPerRound: 2,
}
