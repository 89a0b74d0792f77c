/** Invitation and link room frames (`readInviteFrame`, `readLinkFrame`) and join link payloads (`decodeJoinLinkOf`). */
import type { FuzzTarget } from './target.ts'

export const target: FuzzTarget = {
  name: 'room-frames',
  files: ['src/mesh/frames-fuzz.test.ts', 'src/halo/links/join-link-fuzz.test.ts'],
  runs: 15_000,
  seedsPerRound: 2,
}
