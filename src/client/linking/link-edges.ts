/** The link-room edges both device links and invitations use: rooms under 'commonplace/1/join', halo's keys. */
import { err, ok, systemClock, type Clock } from '../../base'
import {
  invitationRoom,
  linkRoom,
  verifyPeerDevice,
  type Credential,
  type HaloIdentity,
  type PublicKey,
} from '../../halo'
import { joinSwarm, newRepoId, type MeshSettings, type TrysteroPage } from '../../mesh'
import type { LinkEdges } from './ports'

const timerAfter = (ms: number, fire: () => void): (() => void) => {
  const timer = setTimeout(fire, ms)
  return () => {
    clearTimeout(timer)
  }
}

export const linkEdges = (
  settings: MeshSettings,
  page: TrysteroPage,
  isRevoked: (identity: PublicKey, device: PublicKey) => boolean,
  clock: Clock = systemClock,
  after: LinkEdges['after'] = timerAfter,
): LinkEdges => ({
  clock,
  after,
  openRoom: (room, handshake) => joinSwarm(settings, room, { appId: 'commonplace/1/join', handshake, page }),
  linkRoom,
  invitationRoom,
  verifyPeerDevice: async (chain, device) => {
    const verdict = await verifyPeerDevice(chain, device, { clock, isRevoked })
    return verdict.ok ? ok({ identity: verdict.value.identity }) : err({ code: 'bad-chain' })
  },
  repoId: newRepoId,
})

/** The latest Profile credential of the identity, to show another device or a guest who it is. */
export const latestProfile = (identity: HaloIdentity): Credential | null => {
  let latest: Credential | null = null
  for (const each of identity.credentials.get()) {
    if (each.issuer !== identity.identityKey || each.assertion.kind !== 'Profile') continue
    if (latest === null || each.issuedAt > latest.issuedAt) latest = each
  }
  return latest
}
