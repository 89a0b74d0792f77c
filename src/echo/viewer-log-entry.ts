/**
 * What a peer that may not write (a viewer) may add to a root's membership log through sync (sync-screen.ts):
 * only its own entries of the kinds a viewer issues, its leave (MemberRemoved of itself), the revocation of
 * one of its devices (DeviceRevoked) and its Profile (so members see its name), each a well-formed, signed
 * credential stored under its own id and small.
 * Anything else (junk, another member's entry, a use of an invitation) would sit in every member's log for good.
 */
import type { Clock } from '../base'
import type { PublicKey } from '../halo'
import { decodeCredential, idMatchesContent, verifyCredential } from '../halo'
import { toPlain } from './space/documents'

/** A log entry with a device chain is about 1.5 KB as JSON; this leaves room and bounds a viewer's write. */
const MAX_VIEWER_ENTRY_BYTES = 4096

/** A leave and a few revocations come in one sync message at most; more is somebody filling the log. */
export const MAX_VIEWER_ENTRIES = 8

const byteLength = (value: unknown): number => {
  try {
    return new TextEncoder().encode(JSON.stringify(value)).length
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

/** Whether `value`, added under `key` of a root's log by `sender` (its identity), is an entry it may add. */
export const viewerMayAdd = (key: string, value: unknown, sender: PublicKey | null, clock: Clock): boolean => {
  if (sender === null) return false
  const plain = toPlain(value)
  if (byteLength(plain) > MAX_VIEWER_ENTRY_BYTES) return false
  const decoded = decodeCredential(plain)
  if (!decoded.ok) return false
  const entry = decoded.value
  if (entry.id !== key || entry.issuer !== sender || !idMatchesContent(entry)) return false
  const { kind } = entry.assertion
  const own =
    (kind === 'MemberRemoved' && entry.subject === sender) ||
    kind === 'DeviceRevoked' ||
    (kind === 'Profile' && entry.subject === sender)
  // Parents are the fold's to judge; the signature and the device chain are checked here.
  return own && verifyCredential(entry, { clock, hasCredential: () => true }).ok
}
