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
export const MAX_VIEWER_ENTRY_BYTES = 4096

/** A leave and a few revocations come in one sync message at most; more is somebody filling the log. */
export const MAX_VIEWER_ENTRIES = 8

/**
 * The Profiles and device revocations one viewer identity may have in a space's log, over its whole life there: a
 * name changed or a device revoked a few dozen times. Beyond it a viewer could still grow every member's root by up
 * to 8 entries of 4 KB per message, for good. A leave is never capped (a viewer may always go).
 */
export const MAX_VIEWER_OWN_ENTRIES = 32

/** The kinds of entry a viewer adds: its leave, and the ones `MAX_VIEWER_OWN_ENTRIES` bounds. */
export type ViewerEntryKind = 'leave' | 'repeatable'

const byteLength = (value: unknown): number => {
  try {
    return new TextEncoder().encode(JSON.stringify(value)).length
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

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
  const { kind } = entry.assertion
  const found: ViewerEntryKind | undefined =
    kind === 'MemberRemoved' && entry.subject === sender
      ? 'leave'
      : kind === 'DeviceRevoked' || (kind === 'Profile' && entry.subject === sender)
        ? 'repeatable'
        : undefined
  // Parents are the fold's to judge; the signature and the device chain are checked here.
  return found !== undefined && verifyCredential(entry, { clock, hasCredential: () => true }).ok ? found : undefined
}

/** How many Profiles and device revocations issued by `sender` a root's `log` holds already. */
export const repeatableEntriesOf = (log: Readonly<Record<string, unknown>>, sender: PublicKey): number => {
  let count = 0
  for (const value of Object.values(log)) {
    // The app stores an entry's strings whole (immutable strings): read as plain, or none would count.
    const entry = toPlain(value) as { issuer?: unknown; assertion?: { kind?: unknown } } | null
    const kind = entry?.assertion?.kind
    if (entry?.issuer === sender && (kind === 'Profile' || kind === 'DeviceRevoked')) count++
  }
  return count
}
