/** Mutated CBOR frames (controls, sync messages, requests, ephemerals) into the mesh network adapter. */
import type { FuzzTarget } from './target.ts'

export const target: FuzzTarget = {
  name: 'adapter-frames',
  files: ['src/mesh/replication/adapter-fuzz.test.ts'],
  runs: 1_500,
  seedsPerRound: 2,
}
