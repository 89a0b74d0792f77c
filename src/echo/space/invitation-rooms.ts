/**
 * `inviteRooms[I_K] = { rendezvous, sig }` in a shared space's root: each invitation's rendezvous secret R_K
 * (halo's `inviteRendezvous(K)`, base64url, 32 bytes), from which its room derives (halo's `invitationRoom`), and
 * the invite key's signature of it, so any member who may admit can host the invitation while its inviter is
 * offline (issue 12). R_K is not in the log: the log goes out to guests, and a refused guest must not learn other
 * invitations' rooms (review 13 G4). Only the holder of K can sign an entry, so a member who writes another
 * rendezvous under an invitation's key sends no host to a room of its choosing. A peer may write junk here:
 * values are checked for shape on read and for their signature before they are kept (`kept-invitation-rooms.ts`).
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import { fromBase64Url, toBase64Url, toHex, utf8 } from '../../base'
import { invitationKey, inviteRendezvous, signWith, verifyBytes } from '../../halo'
import type { SpaceDoc } from './documents'
import { toPlain } from './documents'
import { isRecord } from './root-fields'

/** One invitation's rendezvous secret as kept in the root, signed by its invite key. */
export interface InvitationRoomEntry {
  readonly rendezvous: string
  readonly sig: string
}

const KEY = /^[0-9a-f]{64}$/
const SECRET = /^[A-Za-z0-9_-]{43}$/
const SIGNATURE = /^[0-9a-f]{128}$/
const FORMAT = 'commonplace/invitation-rendezvous/v1'

export const entryOf = (value: unknown): InvitationRoomEntry | undefined => {
  if (!isRecord(value)) return undefined
  const { rendezvous, sig } = value
  return typeof rendezvous === 'string' && SECRET.test(rendezvous) && typeof sig === 'string' && SIGNATURE.test(sig)
    ? { rendezvous, sig }
    : undefined
}

/** The well-formed entries of the root's `inviteRooms`, by invite key. */
export const invitationRoomsIn = (doc: SpaceDoc): ReadonlyMap<string, InvitationRoomEntry> => {
  const rooms = toPlain(doc.inviteRooms)
  const out = new Map<string, InvitationRoomEntry>()
  if (!isRecord(rooms)) return out
  for (const [key, value] of Object.entries(rooms)) {
    const entry = entryOf(value)
    if (KEY.test(key) && entry !== undefined) out.set(key, entry)
  }
  return out
}

/** Writes the entries (invite key -> entry) into the root; false (nothing written) if any is malformed. */
export const keepInvitationRooms = (
  root: DocHandle<SpaceDoc>,
  entries: ReadonlyMap<string, InvitationRoomEntry>,
): boolean => {
  for (const [key, entry] of entries) if (!KEY.test(key) || entryOf(entry) === undefined) return false
  if (entries.size === 0) return true
  root.change((doc) => {
    // A root whose field a peer replaced with junk gets a fresh one.
    if (!isRecord(doc.inviteRooms)) doc.inviteRooms = {}
    for (const [key, entry] of entries) doc.inviteRooms[key] = { rendezvous: entry.rendezvous, sig: entry.sig }
  })
  return true
}

const signedBytes = (spaceId: string, inviteKey: string, rendezvous: string): Uint8Array =>
  utf8(`${FORMAT}|${spaceId}|${inviteKey}|${rendezvous}`)

/** The entry the inviter keeps for the invitation of link secret `secret` in space `spaceId`. */
export const invitationRoomEntry = (spaceId: string, secret: Uint8Array): InvitationRoomEntry => {
  const pair = invitationKey(secret)
  const rendezvous = toBase64Url(inviteRendezvous(secret))
  return { rendezvous, sig: toHex(signWith(pair, signedBytes(spaceId, pair.publicKey, rendezvous))) }
}

/** R_K from an entry for invite key `inviteKey`, or undefined unless that key signed it for this space. */
export const rendezvousOf = (
  spaceId: string,
  inviteKey: string,
  entry: InvitationRoomEntry | undefined,
): Uint8Array | undefined => {
  if (entry === undefined || !verifyBytes(entry.sig, signedBytes(spaceId, inviteKey, entry.rendezvous), inviteKey)) {
    return undefined
  }
  const bytes = fromBase64Url(entry.rendezvous)
  return bytes?.length === 32 ? bytes : undefined
}
