/** Mutated genuine credentials and chains through `decodeCredential`, `verifyCredential` and `verifyPeerDevice`. */
import type { FuzzTarget } from './target.ts'

export const target: FuzzTarget = {
  name: 'credentials',
  files: ['src/halo/credentials/credential-fuzz.test.ts'],
  runs: 1_500,
  seedsPerRound: 2,
}
