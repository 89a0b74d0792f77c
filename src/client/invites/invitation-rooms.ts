/**
 * An invitation's rendezvous secret R_K (halo's `inviteRendezvous(K)`) as the inviter keeps it in the space root for
 * the members who may host it, signed by the invite key I_K (review 13 G4: the room came from I_K, so anyone who
 * ever got the log stood in every open invitation's room). Only the holder of K can sign it, so a member who writes
 * another rendezvous under an invitation's key sends no host to a room of its choosing: it is not read.
 */
import { fromBase64Url, toBase64Url, toHex, utf8 } from '../../base'
import type { InvitationRoomEntry } from '../../echo'
import { invitationKey, inviteRendezvous, signWith, verifyBytes, type PublicKey } from '../../halo'

const FORMAT = 'commonplace/invitation-rendezvous/v1'

const signedBytes = (spaceId: string, inviteKey: PublicKey, rendezvous: string): Uint8Array =>
  utf8(`${FORMAT}|${spaceId}|${inviteKey}|${rendezvous}`)

/** The entry the inviter keeps for the invitation of link secret `secret` in space `spaceId`. */
export const invitationRoomEntry = (spaceId: string, secret: Uint8Array): InvitationRoomEntry => {
  const pair = invitationKey(secret)
  const rendezvous = toBase64Url(inviteRendezvous(secret))
  return { rendezvous, sig: toHex(signWith(pair, signedBytes(spaceId, pair.publicKey, rendezvous))) }
}

/** R_K from the root's entry for invite key `inviteKey`, or undefined unless that key signed it for this space. */
export const rendezvousOf = (
  spaceId: string,
  inviteKey: PublicKey,
  entry: InvitationRoomEntry | undefined,
): Uint8Array | undefined => {
  if (entry === undefined || !verifyBytes(entry.sig, signedBytes(spaceId, inviteKey, entry.rendezvous), inviteKey)) {
    return undefined
  }
  const bytes = fromBase64Url(entry.rendezvous)
  return bytes?.length === 32 ? bytes : undefined
}
