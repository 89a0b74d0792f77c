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

/**
 * A log entry signed through a device chain is about 1.2 KB as JSON, and 5.5 KB naming the most parents an entry may
 * (64: every head of a busy log); this leaves room and bounds a viewer's write. At 4 KB a viewer's leave naming more
 * than about 40 parents was refused (review).
 */
export const MAX_VIEWER_ENTRY_BYTES = 6144

/** A leave and a few revocations come in one sync message at most; more is somebody filling the log. */
export const MAX_VIEWER_ENTRIES = 8

/**
 * The entries of each kind one viewer identity may have in a space's log, over its whole life there: a name changed
 * or a device revoked a few dozen times, a leave each time it was let in again. Beyond it a viewer could still grow
 * every member's root by up to 8 entries of 4 KB per message, for good (a leave too: each new one has its own id).
 */
export const MAX_VIEWER_OWN_ENTRIES = 32

/** The kinds of entry a viewer adds, each capped on its own: its leave, its Profiles and device revocations. */
export type ViewerEntryKind = 'leave' | 'repeatable'

/** The kind of viewer entry an assertion `kind` about `subject`, issued by `sender`, is; undefined if none. */
const kindOf = (kind: unknown, subject: unknown, sender: PublicKey): ViewerEntryKind | undefined =>
  kind === 'MemberRemoved' && subject === sender
    ? 'leave'
    : kind === 'DeviceRevoked' || (kind === 'Profile' && subject === sender)
      ? 'repeatable'
      : undefined

const byteLength = (value: unknown): number => {
  try {
    return new TextEncoder().encode(JSON.stringify(value)).length
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

/** An entry's size as JSON (bytes), read from a document. */
export const entryBytes = (value: unknown): number => byteLength(toPlain(value))

/**
 * The kind of entry `value` is, added under `key` of a root's log by `sender` (its identity), if it is one the
 * sender may add as a viewer; undefined otherwise.
 */
export const viewerEntryKind = (
  key: string,
  value: unknown,
  sender: PublicKey | null,
  clock: Clock,
): ViewerEntryKind | undefined => {
  if (sender === null) return undefined
  const plain = toPlain(value)
  if (byteLength(plain) > MAX_VIEWER_ENTRY_BYTES) return undefined
  const decoded = decodeCredential(plain)
  if (!decoded.ok) return undefined
  const entry = decoded.value
  if (entry.id !== key || entry.issuer !== sender || !idMatchesContent(entry)) return undefined
  const found = kindOf(entry.assertion.kind, entry.subject, sender)
  // Parents are the fold's to judge; the signature and the device chain are checked here.
  return found !== undefined && verifyCredential(entry, { clock, hasCredential: () => true }).ok ? found : undefined
}

/** How many entries of `kind` issued by `sender` a root's `log` holds already. */
export const ownEntriesOf = (
  log: Readonly<Record<string, unknown>>,
  sender: PublicKey,
  kind: ViewerEntryKind,
): number => {
  let count = 0
  for (const value of Object.values(log)) {
    // The app stores an entry's strings whole (immutable strings): read as plain, or none would count.
    const entry = toPlain(value) as { issuer?: unknown; subject?: unknown; assertion?: { kind?: unknown } } | null
    if (entry?.issuer === sender && kindOf(entry.assertion?.kind, entry.subject, sender) === kind) count++
  }
  return count
}
