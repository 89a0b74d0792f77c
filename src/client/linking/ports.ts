import type { Clock, Observable, Result } from '../../base'
import type { IdentityKey, PublicKey } from '../../halo'
import type { AuthenticatedPeer, LocalParty, Refused, SwarmHandshake } from '../../mesh'
import type { Problem } from '../problem-words'

/** A device in a link or invitation room's handshake; `identityKey` and `chain` are null for a device not linked yet. */
interface RoomParty {
  readonly identityKey: IdentityKey | null
  readonly deviceKey: PublicKey
  readonly chain: unknown
  sign(bytes: Uint8Array): Promise<string>
}

/** Our side of a link or invitation room's handshake: no storage, since no document syncs in such a room. */
export const roomParty = (selfId: string, repo: string, party: RoomParty): LocalParty => ({
  peerId: selfId,
  repo,
  storage: null,
  identity: party.identityKey,
  device: party.deviceKey,
  chain: party.chain,
  sign: (bytes) => party.sign(bytes),
})

/** A link room's keys, from halo's `linkRoom(K)`. */
export interface LinkRoomKeys {
  readonly roomId: string
  readonly password: string
  readonly inviteKey: PublicKey
  signInvite(bytes: Uint8Array): Promise<string>
}

/** The parts of a swarm a link needs (`joinSwarm` with app id 'commonplace/1/join' and a handshake). */
export interface LinkRoom {
  readonly selfId: string
  readonly authenticated: Observable<ReadonlyMap<string, AuthenticatedPeer>>
  channel(name: string): {
    send(data: string, target?: string): Promise<void>
    subscribe(listener: (data: string, peerId: string) => void): () => void
  }
  leave(): Promise<void>
}

type OpenLinkRoom = (
  room: { readonly roomId: string; readonly password: string },
  handshake: SwarmHandshake,
) => LinkRoom

/** What both sides share: the room, halo's link keys and peer check, time. */
export interface LinkEdges {
  readonly clock: Clock
  /** Calls `fire` after `ms`; returns the cancel. */
  readonly after: (ms: number, fire: () => void) => () => void
  readonly openRoom: OpenLinkRoom
  readonly linkRoom: (secret: Uint8Array) => LinkRoomKeys
  /** halo's `invitationRoom`: a space invitation's room, from its rendezvous secret R_K (`inviteRendezvous`). */
  readonly invitationRoom: (spaceId: string, rendezvous: Uint8Array) => { roomId: string; password: string }
  /** halo's verifyPeerDevice with this device's clock and revocations. */
  readonly verifyPeerDevice: (chain: unknown, device: PublicKey) => Promise<Result<{ identity: IdentityKey }, Refused>>
  /** A fresh repo id `cp1.<device hex>.<random>` for a handshake. */
  readonly repoId: (device: PublicKey) => string
}

/** The personal space as B needs it to open it: the root and the swarm's current generation and secret (base64url). */
export interface PersonalSpace {
  readonly spaceId: string
  readonly rootUrl: string
  readonly generation: number
  readonly secret: string
}

export type LinkResult<T> = Promise<Result<T, Problem>>

/**
 * The identity's spaces reaching a device just linked: `done` of `total`, the personal space and each space its root
 * lists (`total` grows if the root lists more). `stop` once no longer shown.
 */
export interface Arrivals {
  readonly progress: Observable<{ readonly done: number; readonly total: number }>
  stop(): void
}
