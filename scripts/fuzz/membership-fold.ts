/** The membership fold: rules 1-8, the removal cascade, the incremental log, invitations and revoked devices. */
import type { FuzzTarget } from './target.ts'

export const target: FuzzTarget = {
  name: 'membership-fold',
  files: [
    'src/echo/membership/fold.test.ts',
    'src/echo/membership/invitation-properties.test.ts',
    'src/echo/membership/log.test.ts',
    'src/echo/membership/revoked-devices.test.ts',
  ],
  runs: 100,
  seedsPerRound: 2,
  slow: true,
}
