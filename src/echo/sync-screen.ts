/**
 * A sync message from a peer that may not write, made harmless: automerge-repo applies every change a `sync`
 * message carries, so the changes are taken out and the rest (the peer's `need` and `have`) passes, so the peer
 * still receives what it asks for. If the peer's heads name a change we do not have (its own, refused), they
 * are reported as ours: otherwise each side would answer the other forever, as measured in sync-screen.test.ts.
 * One exception: changes that only add entries to a root's membership log pass whole when each is the sender's
 * own leave or device revocation, signed and small (viewer-log-entry.ts); the fold then judges it. Any other
 * value under `log` would stay in every member's root for good, so such changes are taken out like the rest.
 */
import {
  clone,
  decodeSyncMessage,
  diff,
  encodeSyncMessage,
  getHeads,
  getMissingDeps,
  hasHeads,
  loadIncremental,
  type Doc,
} from '@automerge/automerge/slim'
import type { Clock } from '../base'
import type { PublicKey } from '../halo'
import { MAX_VIEWER_ENTRIES, viewerMayAdd } from './viewer-log-entry'

type Root = Doc<Record<string, unknown>>

/** What a document here says of itself: its heads, whether it holds a change, and which changes it lets pass. */
export interface KnownHeads {
  readonly heads: readonly string[]
  has(hash: string): boolean
  passes(changes: readonly Uint8Array[]): boolean
}

/** The message without its changes, or whole if they may pass; undefined when `data` is not a sync message. */
export const withoutChanges = (data: Uint8Array, ours: KnownHeads): Uint8Array | undefined => {
  let decoded: ReturnType<typeof decodeSyncMessage>
  try {
    decoded = decodeSyncMessage(data)
  } catch {
    return undefined
  }
  if (decoded.changes.length > 0 && ours.passes(decoded.changes)) return data
  const known = decoded.heads.every((hash) => ours.has(hash))
  return encodeSyncMessage({ ...decoded, heads: known ? decoded.heads : [...ours.heads], changes: [] })
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Who sent the message (its identity, null when unknown) and this device's clock (to verify entries). */
export interface Sender {
  readonly identity: PublicKey | null
  readonly clock: Clock
}

/**
 * Whether `changes`, applied to `root`, only add new keys under `log`, each an entry `sender` may add. A change
 * whose dependencies we lack would wait and apply later unchecked, so it does not pass; nor does one that touches
 * an entry already there.
 */
const onlyAddsLogEntries = (root: Root, changes: readonly Uint8Array[], sender: Sender): boolean => {
  const before = getHeads(root)
  // A sync message's chunks may be changes or a compressed bundle of them, which `applyChanges` refuses.
  let after = clone(root)
  try {
    for (const chunk of changes) after = loadIncremental(after, chunk)
  } catch {
    return false
  }
  if (getMissingDeps(after, []).length > 0) return false
  const log = root.log
  const existing = new Set(isRecord(log) ? Object.keys(log) : [])
  const added = new Set<string>()
  for (const { path } of diff(after, before, getHeads(after))) {
    const [field, key] = path
    if (field !== 'log' || typeof key !== 'string' || existing.has(key)) return false
    added.add(key)
  }
  if (added.size > MAX_VIEWER_ENTRIES) return false
  const grown = after.log
  if (!isRecord(grown)) return false
  return [...added].every((key) => viewerMayAdd(key, grown[key], sender.identity, sender.clock))
}

/**
 * A document's heads as `withoutChanges` asks; an empty one (not here yet) when `doc` is undefined. Log entries
 * pass only with a `sender` whose own entries they are.
 */
export const knownHeads = (doc: Root | undefined, sender?: Sender): KnownHeads => ({
  heads: doc === undefined ? [] : getHeads(doc),
  has: (hash) => doc !== undefined && hasHeads(doc, [hash]),
  // Only a space's root has a membership log.
  passes: (changes) =>
    doc?.kind === 'commonplace/space' && sender !== undefined && onlyAddsLogEntries(doc, changes, sender),
})
