// The fixtures install fake-indexeddb, which Dexie must find when it loads.
import { makeActor, openTestEcho, T0 } from '../../echo/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { ok, toHex, until } from '../../base'
import { ManualClock } from '../../base/testing/manual-clock'
import {
  generateKeyPair,
  invitationKey,
  invitationRoom,
  linkRoom,
  newLinkSecret,
  signWith,
  type IdentityKey,
} from '../../halo'
import { defaultMeshSettings, joinSwarm } from '../../mesh'
import { FakeTrystero, type FakePage } from '../../mesh/testing/fake-trystero'
import type { LinkEdges } from '../linking/ports'
import { hostInvitations } from './host-invitations'
import { invitationRoomEntry } from '../../echo'
import type { InviteJoinState } from './invites-api'
import { joinInvite } from './join-invite'

/**
 * Edges over the in-memory Trystero whose timers never fire: no hello is said again a second later, no heartbeat,
 * no rejoin. Each handshake's chain is the identity key itself, which `verifyPeerDevice` takes as proof.
 */
const stillEdges = (page: FakePage, clock: ManualClock): LinkEdges => ({
  clock,
  after: () => () => undefined,
  openRoom: (room, handshake) =>
    joinSwarm(defaultMeshSettings({}), room, {
      appId: 'commonplace/1/join',
      handshake,
      page,
      every: () => () => undefined,
      after: () => () => undefined,
    }),
  linkRoom,
  invitationRoom,
  verifyPeerDevice: (chain) => Promise.resolve(ok({ identity: chain as IdentityKey })),
  repoId: (device) => `cp1.${device}.${crypto.randomUUID().slice(0, 8)}`,
})

/** Ada hosts an invitation of her space; Bob (a fresh identity) joins its room: `first` is the one in it first. */
const meet = async (first: 'host' | 'guest'): Promise<InviteJoinState> => {
  const clock = new ManualClock(T0)
  const network = new FakeTrystero()
  const echo = openTestEcho({ clock })
  const ada = makeActor()
  const adaDevice = generateKeyPair()
  const space = await echo.createSpace(ada, 'Garden plans')
  const secret = newLinkSecret()
  space.invite(
    ada,
    { key: invitationKey(secret).publicKey, role: 'editor', uses: 1, until: T0 + 60 * 60_000 },
    invitationRoomEntry(space.id, secret),
  )
  const host = () =>
    hostInvitations({
      host: {
        identityKey: ada.identity as IdentityKey,
        deviceKey: adaDevice.publicKey,
        chain: ada.identity,
        sign: (bytes) => Promise.resolve(toHex(signWith(adaDevice, bytes))),
        profile: () => null,
        actor: ada,
      },
      edges: stillEdges(network.page('ada'), clock),
      spaces: () => [space],
      onChange: (listener) => space.membership.subscribe(listener),
      rootUrlOf: () => undefined,
      secret: () => undefined,
      verifyChain: (_spaceId, chain) => Promise.resolve(ok({ identity: chain as IdentityKey })),
    })
  const bob = generateKeyPair<IdentityKey>()
  const bobDevice = generateKeyPair()
  const guest = () =>
    joinInvite({
      edges: stillEdges(network.page('bob'), clock),
      spaceId: space.id,
      secret,
      guest: {
        identityKey: bob.publicKey,
        deviceKey: bobDevice.publicKey,
        chain: bob.publicKey,
        sign: (bytes) => Promise.resolve(toHex(signWith(bobDevice, bytes))),
        verifyProfile: () => undefined,
        expectHosts: () => () => undefined,
        hold: () => () => undefined,
        arrived: () => Promise.resolve(false),
      },
    })
  const stopHosting = first === 'host' ? host() : undefined
  const joining = guest()
  const stopLateHost = first === 'guest' ? host() : undefined
  await until(joining.state, (state) => state.kind !== 'looking', AbortSignal.timeout(5_000))
  const reached = joining.state.get()
  joining.cancel()
  stopHosting?.()
  stopLateHost?.()
  await joining.left()
  await echo.close()
  return reached
}

describe('an invitation room greets at once', () => {
  // Trystero lets each side in at its own moment and drops frames from a peer not let in yet. Both orders are
  // met within the first exchange, with no timer firing (before: the guest's first hello went nowhere, and the
  // offer waited for its next hello a second later).
  it('the host was there first: the guest says hello once the host is let in, and is offered', async () => {
    expect(await meet('host')).toMatchObject({ kind: 'found', spaceName: 'Garden plans', role: 'editor' })
  })

  it('the guest was there first: the host offers once the guest is let in, unasked', async () => {
    expect(await meet('guest')).toMatchObject({ kind: 'found', spaceName: 'Garden plans', role: 'editor' })
  })
})
