/** The handshake against a scripted peer whose Hello, Proof and done are genuine, mutated, replaced or left out. */
import type { FuzzTarget } from './target.ts'

export const target: FuzzTarget = {
  name: 'handshake',
  files: ['src/mesh/handshake/handshake-fuzz.test.ts'],
  runs: 1_000,
  seedsPerRound: 2,
}
