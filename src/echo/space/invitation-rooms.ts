/**
 * `inviteRooms[I_K] = { rendezvous, sig }` in a shared space's root: each invitation's rendezvous secret R_K
 * (base64url, 32 bytes), from which its room derives (halo's `invitationRoom`), and the invite key's signature of it,
 * so any member who may admit can host the invitation while its inviter is offline (issue 12). R_K is not in the
 * log: the log goes out to guests, and a refused guest must not learn other invitations' rooms (review 13 G4).
 * A peer may write junk here: values are checked for shape on read, and the client checks the signature.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Observable } from '../../base'
import type { SpaceDoc } from './documents'
import { toPlain } from './documents'
import { isRecord } from './root-fields'
import { rootObservable } from './space-lists'

/** One invitation's rendezvous secret as kept in the root, signed by its invite key. */
export interface InvitationRoomEntry {
  readonly rendezvous: string
  readonly sig: string
}

const KEY = /^[0-9a-f]{64}$/
const SECRET = /^[A-Za-z0-9_-]{43}$/
const SIGNATURE = /^[0-9a-f]{128}$/

const entryOf = (value: unknown): InvitationRoomEntry | undefined => {
  if (!isRecord(value)) return undefined
  const { rendezvous, sig } = value
  return typeof rendezvous === 'string' && SECRET.test(rendezvous) && typeof sig === 'string' && SIGNATURE.test(sig)
    ? { rendezvous, sig }
    : undefined
}

/** The well-formed entries of the root's `inviteRooms`, by invite key. */
const invitationRoomsIn = (doc: SpaceDoc): ReadonlyMap<string, InvitationRoomEntry> => {
  const rooms = toPlain(doc.inviteRooms)
  const out = new Map<string, InvitationRoomEntry>()
  if (!isRecord(rooms)) return out
  for (const [key, value] of Object.entries(rooms)) {
    const entry = entryOf(value)
    if (KEY.test(key) && entry !== undefined) out.set(key, entry)
  }
  return out
}

export const invitationRooms = (root: DocHandle<SpaceDoc>): Observable<ReadonlyMap<string, InvitationRoomEntry>> =>
  rootObservable(root, 'inviteRooms', invitationRoomsIn)

/** Keeps the entry of invite key `key`; false (nothing written) for a malformed key or entry. */
export const keepInvitationRoom = (root: DocHandle<SpaceDoc>, key: string, entry: InvitationRoomEntry): boolean => {
  if (!KEY.test(key) || entryOf(entry) === undefined) return false
  root.change((doc) => {
    if (!isRecord(doc.inviteRooms)) doc.inviteRooms = {}
    doc.inviteRooms[key] = { rendezvous: entry.rendezvous, sig: entry.sig }
  })
  return true
}
