/**
 * A sync message from a peer that may not write, made harmless: automerge-repo applies every change a `sync`
 * message carries, so the changes are taken out and the rest (the peer's `need` and `have`) passes, so the peer
 * still receives what it asks for. If the peer's heads name a change we do not have (its own, refused), they
 * are reported as ours: otherwise each side would answer the other forever, as measured in sync-screen.test.ts.
 */
import { decodeSyncMessage, encodeSyncMessage, getHeads, hasHeads, type Doc } from '@automerge/automerge/slim'

/** What a document here says of itself: its heads, and whether it holds a change. */
export interface KnownHeads {
  readonly heads: readonly string[]
  has(hash: string): boolean
}

/** The message without its changes; undefined when `data` is not a sync message. */
export const withoutChanges = (data: Uint8Array, ours: KnownHeads): Uint8Array | undefined => {
  let decoded: ReturnType<typeof decodeSyncMessage>
  try {
    decoded = decodeSyncMessage(data)
  } catch {
    return undefined
  }
  const known = decoded.heads.every((hash) => ours.has(hash))
  return encodeSyncMessage({ ...decoded, heads: known ? decoded.heads : [...ours.heads], changes: [] })
}

/** A document's heads as `withoutChanges` asks; an empty one (not here yet) when `doc` is undefined. */
export const knownHeads = (doc: Doc<Record<string, unknown>> | undefined): KnownHeads => ({
  heads: doc === undefined ? [] : getHeads(doc),
  has: (hash) => doc !== undefined && hasHeads(doc, [hash]),
})
