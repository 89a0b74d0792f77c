/**
 * `invites[delegationId] = K` (base64url, 32 bytes) in a shared space's root: the link secret of each invitation,
 * so any member who may admit can host it (derive its room, check the guest's invite key), not only the inviter
 * (issue 12 plan). Members only see the root; a peer may write junk here, so every value is checked on read.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Observable } from '../../base'
import type { SpaceDoc } from './documents'
import { isRecord } from './root-fields'
import { rootObservable } from './space-lists'

const ID = /^[0-9a-f]{64}$/
const SECRET = /^[A-Za-z0-9_-]{43}$/

/** The well-formed entries of the root's `invites`, by delegation id. */
const inviteSecretsIn = (doc: SpaceDoc): Readonly<Record<string, string>> => {
  const invites: unknown = (doc as { invites?: unknown }).invites
  if (!isRecord(invites)) return {}
  const out: Record<string, string> = {}
  for (const [id, value] of Object.entries(invites)) {
    if (ID.test(id) && typeof value === 'string' && SECRET.test(value)) out[id] = value
  }
  return out
}

export const inviteSecrets = (root: DocHandle<SpaceDoc>): Observable<Readonly<Record<string, string>>> =>
  rootObservable(root, 'invites', inviteSecretsIn)

/** Keeps `secret` for delegation `id`; false (nothing written) for a malformed id or secret. */
export const keepInviteSecret = (root: DocHandle<SpaceDoc>, id: string, secret: string): boolean => {
  if (!ID.test(id) || !SECRET.test(secret)) return false
  root.change((doc) => {
    if (!isRecord(doc.invites)) doc.invites = {}
    doc.invites[id] = secret
  })
  return true
}

/**
 * Deletes the K of invitations `ids` from the root (used up, cancelled or past `until`: nobody is to be admitted
 * with them, and a copy of the root must not keep them); false when none was there.
 */
export const forgetInviteSecrets = (root: DocHandle<SpaceDoc>, ids: readonly string[]): boolean => {
  const invites: unknown = (root.doc() as { invites?: unknown }).invites
  if (!isRecord(invites)) return false
  const present = ids.filter((id) => id in invites)
  if (present.length === 0) return false
  root.change((doc) => {
    if (!isRecord(doc.invites)) return
    for (const id of present) Reflect.deleteProperty(doc.invites, id)
  })
  return true
}
