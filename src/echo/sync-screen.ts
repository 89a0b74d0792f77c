/**
 * A sync message from a peer that may not write, made harmless: automerge-repo applies every change a `sync`
 * message carries, so the changes are taken out and the rest (the peer's `need` and `have`) passes, so the peer
 * still receives what it asks for. If the peer's heads name a change we do not have (its own, refused), they
 * are reported as ours: otherwise each side would answer the other forever, as measured in sync-screen.test.ts.
 * One exception: changes that only add entries to a root's membership log pass whole, since the fold judges each
 * entry (a viewer may leave, or revoke a device of its own, and nothing else).
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

/**
 * Whether `changes`, applied to `root`, only add new keys under `log`. A change whose dependencies we lack would
 * wait and apply later unchecked, so it does not pass; nor does one that touches an entry already there.
 */
const onlyAddsLogEntries = (root: Root, changes: readonly Uint8Array[]): boolean => {
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
  return diff(after, before, getHeads(after)).every(
    ({ path }) => path[0] === 'log' && typeof path[1] === 'string' && !existing.has(path[1]),
  )
}

/** A document's heads as `withoutChanges` asks; an empty one (not here yet) when `doc` is undefined. */
export const knownHeads = (doc: Root | undefined): KnownHeads => ({
  heads: doc === undefined ? [] : getHeads(doc),
  has: (hash) => doc !== undefined && hasHeads(doc, [hash]),
  // Only a space's root has a membership log.
  passes: (changes) => doc?.kind === 'commonplace/space' && onlyAddsLogEntries(doc, changes),
})
