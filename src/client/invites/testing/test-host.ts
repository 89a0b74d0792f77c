/**
 * Test only: a space of a test echo (ECHO's fixtures) with Ada as its owner, links to its invitations, and Ada
 * hosting them with the real `hostInvitations` on a page of the fake Trystero (no mesh, so she never welcomes).
 */
import { systemClock, toHex, type Clock } from '../../../base'
import { invitationRoomEntry, type Actor, type Space } from '../../../echo'
import {
  encodeSpaceLink,
  generateKeyPair,
  invitationKey,
  issueCredential,
  newLinkSecret,
  signWith,
  type IdentityKey,
  type PublicKey,
} from '../../../halo'
import type { TrysteroPage } from '../../../mesh'
import { linkEdges } from '../../linking/link-edges'
import { createMeshSettings } from '../../mesh-settings'
import { hostInvitations } from '../host-invitations'

const HOUR = 60 * 60_000
const settings = createMeshSettings({ getItem: () => null, setItem: () => undefined, removeItem: () => undefined })

/** An invitation of `space` by `actor` (an editor's, single use, for an hour, unless cancelled) and its link. */
export const inviteLink = (space: Space, actor: Actor, { cancelled = false } = {}) => {
  const secret = newLinkSecret()
  const key = invitationKey(secret).publicKey
  const until = Date.now() + HOUR
  const issued = space.invite(actor, { key, role: 'editor', uses: 1, until }, invitationRoomEntry(space.id, secret))
  if (!issued.ok) throw issued.error
  if (cancelled) space.cancelInvitation(actor, key)
  return {
    url: encodeSpaceLink({ spaceId: space.id as string as PublicKey, secret, expiresAt: until }),
    delegation: issued.value,
  }
}

/** Ada (`keys`, the owner) hosts every invitation of `space` from `page`, by `clock`; returns the stop. */
export const hostAs = (
  page: TrysteroPage,
  space: Space,
  keys: ReturnType<typeof generateKeyPair<IdentityKey>>,
  clock: Clock = systemClock,
): (() => void) => {
  const device = generateKeyPair()
  const edges = linkEdges(settings.current.get(), page, () => false, clock)
  return hostInvitations({
    host: {
      actor: { identity: keys.publicKey, signer: { key: keys } },
      identityKey: keys.publicKey,
      deviceKey: device.publicKey,
      chain: issueCredential({
        issuer: keys.publicKey,
        subject: device.publicKey,
        assertion: { kind: 'AuthorizedDevice' },
        signer: { key: keys },
        clock: systemClock,
      }),
      sign: (bytes) => Promise.resolve(toHex(signWith(device, bytes))),
      profile: () => null,
    },
    edges,
    spaces: () => [space],
    onChange: (listener) => space.membership.subscribe(listener),
    rootUrlOf: () => undefined,
    secret: () => undefined,
    verifyChain: (_spaceId, chain, key) => edges.verifyPeerDevice(chain, key),
  })
}
