/**
 * A sync message from a peer that may not write, made harmless: automerge-repo applies every change a `sync`
 * message carries, so the changes are taken out and the rest (the peer's `need` and `have`) passes, so the peer
 * still receives what it asks for. If the peer's heads name a change we do not have (its own, refused), they
 * are reported as ours: otherwise each side would answer the other forever, as measured in sync-screen.test.ts.
 * One exception: changes that only add entries to a root's membership log pass whole when each is the sender's
 * own leave or device revocation, signed and small (viewer-check/viewer-changes.ts); the fold then judges it. Any
 * other value under `log` would stay in every member's root for good, so such changes are taken out like the rest.
 */
import { decodeSyncMessage, encodeSyncMessage, getHeads, hasHeads, type Doc } from '@automerge/automerge/slim'

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

/**
 * A document's heads as `withoutChanges` asks; an empty one (not here yet) when `doc` is undefined. Changes pass
 * only where `passes` says so (a viewer's own log entries, judged by viewer-check/).
 */
export const knownHeads = (
  doc: Doc<Record<string, unknown>> | undefined,
  passes: (changes: readonly Uint8Array[]) => boolean = () => false,
): KnownHeads => ({
  heads: doc === undefined ? [] : getHeads(doc),
  has: (hash) => doc !== undefined && hasHeads(doc, [hash]),
  passes,
})

/** The changes a sync message carries; none when `data` is not one. */
export const changesIn = (data: Uint8Array): readonly Uint8Array[] => {
  try {
    return decodeSyncMessage(data).changes
  } catch {
    return []
  }
}
