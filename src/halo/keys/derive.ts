/**
 * Secrets and what derives from them (sharing-protocol.md §4.0): a space's swarm room, and a link's
 * rendezvous room and invite key. Everything is HKDF-SHA-256, so the same secret gives the same
 * room on every device and nothing derived needs storing.
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { AppError, concatBytes, toBase64Url, toHex, utf8 } from '../../base'
import type { KeyPair, PublicKey } from './keys'
import { keyPairFromSeed, signWith } from './keys'

const SECRET_LENGTH = 32
const SWARM_SALT = utf8('commonplace/swarm/v1')
const INVITE_KEY_INFO = utf8('commonplace/invite/v1/key')
const INVITE_ROOM_INFO = utf8('commonplace/invite/v1/room')
const INVITATION_ROOM_INFO = 'commonplace/invitation/v2/room'

/** A swarm or link secret of the wrong length: a caller bug or damaged input, never derived from. */
export class SecretWrongLength extends AppError<'secret-wrong-length'> {
  constructor(length: number) {
    super('secret-wrong-length', `a secret is ${String(SECRET_LENGTH)} bytes, not ${String(length)}`)
  }
}

export interface Room {
  readonly roomId: string
  readonly password: string
}

export interface LinkRoom extends Room {
  readonly inviteKey: PublicKey
  /** Signs with the invite key; the signature as 128 hex characters, like a credential's. */
  signInvite(bytes: Uint8Array): Promise<string>
}

const checked = (secret: Uint8Array): Uint8Array => {
  if (secret.length !== SECRET_LENGTH) throw new SecretWrongLength(secret.length)
  return secret
}

const derive = (secret: Uint8Array, salt: Uint8Array | undefined, info: string | Uint8Array): Uint8Array =>
  hkdf(sha256, secret, salt, typeof info === 'string' ? utf8(info) : info, SECRET_LENGTH)

const roomFrom = (secret: Uint8Array, suffix: string): Room => ({
  roomId: toBase64Url(derive(secret, SWARM_SALT, `room${suffix}`)),
  password: toBase64Url(derive(secret, SWARM_SALT, `password${suffix}`)),
})

const randomSecret = (): Uint8Array => crypto.getRandomValues(new Uint8Array(SECRET_LENGTH))

/** A fresh swarm secret S for one space and generation. */
export const newSwarmSecret = (): Uint8Array => randomSecret()

const COMMITMENT_LABEL = 'commonplace/swarm-commitment/v1'

/**
 * What names a swarm secret without giving it: hex SHA-256 of `label|spaceId|generation|` and the secret. A box's
 * reader checks the opened secret against it, and devices at one generation agree on the smallest.
 */
export const swarmCommitment = (secret: Uint8Array, spaceId: string, generation: number): string =>
  toHex(sha256(concatBytes(utf8(`${COMMITMENT_LABEL}|${spaceId}|${String(generation)}|`), checked(secret))))

/** A fresh link secret K; it travels only in a link's fragment. */
export const newLinkSecret = (): Uint8Array => randomSecret()

/** The Trystero room of space `spaceId` at `generation`: `b64url(HKDF(S, swarm salt, "room|x|g"))` and the password. */
export const swarmRoom = (secret: Uint8Array, spaceId: string, generation: number): Room =>
  roomFrom(checked(secret), `|${spaceId}|${String(generation)}`)

/**
 * The invite key I_K of a link: Ed25519 from the seed HKDF(K, ".../key"). Its public half is the subject of the
 * space's DelegatedInvitation; the guest signs its own SpaceMember with it (issuer = I_K, no chain).
 */
export const invitationKey = (secret: Uint8Array): KeyPair =>
  keyPairFromSeed(derive(checked(secret), undefined, INVITE_KEY_INFO))

/**
 * The rendezvous secret R_K of a link (sharing-protocol.md §4.0): HKDF(K, ".../room"). The guest derives it from the
 * link; a space invitation's hosts read it in the space root, where the inviter keeps it signed by I_K. It gives the
 * room, never K: whoever holds it can stand in the room but cannot sign as I_K, so it admits nobody.
 */
export const inviteRendezvous = (secret: Uint8Array): Uint8Array => derive(checked(secret), undefined, INVITE_ROOM_INFO)

/**
 * The room of a space invitation, from its rendezvous secret R_K (`inviteRendezvous`). Nothing in the space's log
 * gives it (review 13 G4: when it came from I_K, anyone who ever got the log, a refused guest too, could stand in
 * every open invitation's room). Bound to the space, and not the device-link room of the same K.
 */
export const invitationRoom = (spaceId: string, rendezvous: Uint8Array): Room =>
  roomFrom(derive(checked(rendezvous), SWARM_SALT, `${INVITATION_ROOM_INFO}|${spaceId}`), '')

/** The rendezvous of a device link: room from R_K = HKDF(K, ".../room"), invite key from `invitationKey`. */
export const linkRoom = (secret: Uint8Array): LinkRoom => {
  const pair = invitationKey(secret)
  const room = roomFrom(inviteRendezvous(secret), '')
  return {
    ...room,
    inviteKey: pair.publicKey,
    signInvite: (bytes) => Promise.resolve(toHex(signWith(pair, bytes))),
  }
}
