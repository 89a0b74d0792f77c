/** The handshake against a scripted peer: its room key proof, Hello, Proof and done genuine, mutated, replaced, absent. */
import type { FuzzTarget } from './target.ts'

export const target: FuzzTarget = {
  name: 'handshake',
  files: ['src/mesh/handshake/handshake-fuzz.test.ts'],
  runs: 1_000,
  seedsPerRound: 2,
}
