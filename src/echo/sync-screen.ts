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
import {
  MAX_VIEWER_ENTRIES,
  MAX_VIEWER_ENTRY_BYTES,
  MAX_VIEWER_OWN_ENTRIES,
  repeatableEntriesOf,
  viewerEntryKind,
} from './viewer-log-entry'

type Root = Doc<Record<string, unknown>>

/** What a document here says of itself: its heads, whether it holds a change, and which changes it lets pass. */
export interface KnownHeads {
  readonly heads: readonly string[]
  has(hash: string): boolean
  passes(changes: readonly Uint8Array[]): boolean
}

/** Heads a peer names are asked for only this many at once (one writer rarely has more than two): what is kept of them is bounded. */
const MAX_HEADS_ASKED_FOR = 16

/**
 * The message without its changes, or whole if they may pass; undefined when `data` is not a sync message.
 * `firstTime(heads)` (stateful, per peer and document: `AskedHeads`) lets a message that carries no change and names
 * heads we lack pass once as it is, so that our answer asks for them: a peer leaves out a change when our Bloom
 * filter falsely says we have it, and with the heads reported as ours the session ended without it (a viewer's
 * leave lost in about 1 sync in 130, `sync-screen.test.ts`). A change of its own we refuse comes back, is taken
 * out, and the same heads then end the exchange.
 */
export const withoutChanges = (
  data: Uint8Array,
  ours: KnownHeads,
  firstTime: (heads: readonly string[]) => boolean = () => false,
): Uint8Array | undefined => {
  let decoded: ReturnType<typeof decodeSyncMessage>
  try {
    decoded = decodeSyncMessage(data)
  } catch {
    return undefined
  }
  if (decoded.changes.length > 0 && ours.passes(decoded.changes)) return data
  const known = decoded.heads.every((hash) => ours.has(hash))
  const askable = decoded.heads.length <= MAX_HEADS_ASKED_FOR && decoded.changes.length === 0
  if (!known && askable && firstTime(decoded.heads)) return data
  return encodeSyncMessage({ ...decoded, heads: known ? decoded.heads : [...ours.heads], changes: [] })
}

/** Which heads a peer's change-free messages named, each answered once (`withoutChanges`); the oldest forgotten. */
export class AskedHeads {
  readonly #seen = new Set<string>()
  readonly #limit: number

  constructor(limit = 4096) {
    this.#limit = limit
  }

  /** True the first time `key` comes, and again only once it was forgotten among `limit` newer ones. */
  first(key: string): boolean {
    if (this.#seen.has(key)) return false
    this.#seen.add(key)
    for (const oldest of this.#seen) {
      if (this.#seen.size <= this.#limit) break
      this.#seen.delete(oldest)
    }
    return true
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Who sent the message (its identity, null when unknown) and this device's clock (to verify entries). */
export interface Sender {
  readonly identity: PublicKey | null
  readonly clock: Clock
}

/**
 * What a viewer's log adds weigh at most in one message: its most entries at their largest, twice over for the
 * encoding. Heavier changes are refused before they are loaded, which costs about 3 ms a KB (12 ms here under load
 * for 4 KB; 120 KB of junk took 0.4 s alone and 2.8 s under a parallel e2e run, and once timed out a unit test).
 */
const MAX_VIEWER_CHANGE_BYTES = 2 * MAX_VIEWER_ENTRIES * MAX_VIEWER_ENTRY_BYTES

/**
 * Whether `changes`, applied to `root`, only add new keys under `log`, each an entry `sender` may add. A change
 * whose dependencies we lack would wait and apply later unchecked, so it does not pass; nor does one that touches
 * an entry already there.
 */
const onlyAddsLogEntries = (root: Root, changes: readonly Uint8Array[], sender: Sender): boolean => {
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
  const grown = after.log
  const { identity } = sender
  if (!isRecord(grown) || identity === null) return false
  const kinds = [...added].map((key) => viewerEntryKind(key, grown[key], identity, sender.clock))
  if (kinds.includes(undefined)) return false
  const repeats = kinds.filter((kind) => kind === 'repeatable').length
  return repeats === 0 || repeatableEntriesOf(isRecord(log) ? log : {}, identity) + repeats <= MAX_VIEWER_OWN_ENTRIES
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
