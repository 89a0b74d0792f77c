/**
 * Whether a viewer's changes to a space's root may pass: they only add the sender's own log entries
 * (viewer-log-entry.ts). Loading them is what costs, and it cannot be stopped part way, so the browser runs this
 * in a worker under a deadline (worker-viewer-check.ts); tests and Node run it in place.
 */
import {
  clone,
  diff,
  getChanges,
  getChangesMetaSince,
  getHeads,
  getMissingDeps,
  loadIncremental,
  type Doc,
} from '@automerge/automerge/slim'
import type { Clock } from '../../base'
import type { PublicKey } from '../../halo'
import {
  MAX_VIEWER_ENTRIES,
  MAX_VIEWER_ENTRY_BYTES,
  MAX_VIEWER_OWN_ENTRIES,
  entryBytes,
  ownEntriesOf,
  viewerEntryKind,
} from '../viewer-log-entry'

export type Root = Doc<Record<string, unknown>>

/** Who sent the changes (its identity) and this device's clock (to verify entries). */
export interface Sender {
  readonly identity: PublicKey
  readonly clock: Clock
}

/**
 * What a viewer's log adds weigh at most in one message: its most entries at their largest, twice over for the
 * encoding. Heavier changes are refused before they are loaded, which costs about 3 ms a KB (12 ms here under load
 * for 4 KB; 120 KB of junk took 0.4 s alone and 2.8 s under a parallel e2e run, and once timed out a unit test).
 */
const MAX_VIEWER_CHANGE_BYTES = 2 * MAX_VIEWER_ENTRIES * MAX_VIEWER_ENTRY_BYTES

/**
 * Operations one added entry may cost, deletions included: one per 16 bytes of the largest entry. The app writes
 * an entry's strings whole: a leave signed through a device chain is 23 operations and one per parent (up to 64), a
 * Profile 26 and one per parent. Without a bound, a change could rewrite one new entry again and again, or delete
 * one field a million times in 806 bytes (review: 1.06 s to check, and as long for every member to load the root,
 * for good): the diff shows only what is there at the end.
 */
const MAX_VIEWER_OPS_PER_ENTRY = MAX_VIEWER_ENTRY_BYTES / 16

/** The changes' bytes kept in the root, at most this many per byte of the entries they add, plus the slack. */
const KEPT_BYTES_PER_ENTRY_BYTE = 2
const KEPT_BYTES_SLACK = 1024

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The space's root: the only document where a viewer may add anything. */
export const isSpaceRoot = (doc: Doc<Record<string, unknown>> | undefined): doc is Root =>
  doc?.kind === 'commonplace/space'

/**
 * Whether `changes`, applied to `root`, only add new keys under `log`, each an entry `sender` may add, in few
 * operations. A change whose dependencies we lack would wait and apply later unchecked, so it does not pass; nor
 * does one that touches an entry already there.
 */
export const viewerChangesPass = (root: Root, changes: readonly Uint8Array[], sender: Sender): boolean => {
  if (!isSpaceRoot(root)) return false
  if (changes.reduce((sum, chunk) => sum + chunk.byteLength, 0) > MAX_VIEWER_CHANGE_BYTES) return false
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
  const metas = getChangesMetaSince(after, before)
  // A change carries a free message and spare bytes that no diff shows; an honest viewer's carry neither.
  if (metas.some((meta) => (meta.message ?? '') !== '' || (meta.extraBytes ?? '') !== '')) return false
  // Each change's operations are numbered from its start to its max, deletions too (`stats` counts no deletion).
  const operations = metas.reduce((sum, meta) => sum + meta.maxOp - meta.startOp + 1, 0)
  if (operations > added.size * MAX_VIEWER_OPS_PER_ENTRY) return false
  const grown = after.log
  if (!isRecord(grown)) return false
  const kinds = [...added].map((key) => viewerEntryKind(key, grown[key], sender.identity, sender.clock))
  if (kinds.includes(undefined)) return false
  // What every root keeps of the changes weighs about what they add (the app's: 1.1 times its entries as JSON), so
  // nothing else rides along in their bytes (many changes, dependencies, actors) for good.
  const kept = getChanges(root, after).reduce((sum, chunk) => sum + chunk.byteLength, 0)
  const entries = [...added].reduce((sum, key) => sum + entryBytes(grown[key]), 0)
  if (kept > KEPT_BYTES_PER_ENTRY_BYTE * entries + KEPT_BYTES_SLACK) return false
  const held = isRecord(log) ? log : {}
  return (['leave', 'repeatable'] as const).every((kind) => {
    const adds = kinds.filter((each) => each === kind).length
    return adds === 0 || ownEntriesOf(held, sender.identity, kind) + adds <= MAX_VIEWER_OWN_ENTRIES
  })
}
