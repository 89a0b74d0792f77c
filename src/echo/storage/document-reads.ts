/**
 * One read of all of a document's chunks, shared by the reads automerge-repo makes of its parts one after the
 * other: loading a document reads its snapshots, then its incremental changes, and syncing it with a peer reads the
 * sync state kept for that peer, each in its own IndexedDB transaction. A linked device receiving a big space made
 * three reads per arriving text (all of them finding nothing); sharing one, it makes one. A sync state asked for
 * with no read of its document kept is read by its key instead (`DexieStorageAdapter.load`).
 *
 * A read is shared only with reads asked for within `KEEP_MS` of it and before this adapter next writes or removes
 * one of the document's chunks. Another tab may write meanwhile; what it wrote is then read as if the read had
 * been made a moment earlier: its changes still come over the tabs' channel, and a sync state read as older or
 * absent only makes the next sync with that peer start again from the heads.
 */
import type { ChunkRow } from './echo-database'

/** How long a read is shared after it was asked for. */
const KEEP_MS = 1_000
/** The most documents whose read is kept at once (the oldest goes first). */
const MAX_KEPT = 512

interface Kept {
  readonly rows: Promise<readonly ChunkRow[]>
  readonly until: number
}

export class DocumentReads {
  readonly #read: (doc: string) => Promise<readonly ChunkRow[]>
  readonly #now: () => number
  readonly #kept = new Map<string, Kept>()

  constructor(read: (doc: string) => Promise<readonly ChunkRow[]>, now: () => number = () => performance.now()) {
    this.#read = read
    this.#now = now
  }

  /** Every chunk of `doc` from a read asked for a moment ago, if there is one; starts none. */
  kept(doc: string): Promise<readonly ChunkRow[]> | undefined {
    const kept = this.#kept.get(doc)
    return kept !== undefined && kept.until > this.#now() ? kept.rows : undefined
  }

  /** Every chunk of `doc`, read now or by a read asked for a moment ago. */
  rows(doc: string): Promise<readonly ChunkRow[]> {
    const kept = this.kept(doc)
    if (kept !== undefined) return kept
    const now = this.#now()
    this.#kept.delete(doc)
    const rows = this.#read(doc)
    const entry = { rows, until: now + KEEP_MS }
    this.#kept.set(doc, entry)
    // A refused read is not shared: the next asks again.
    void rows.catch(() => {
      if (this.#kept.get(doc) === entry) this.#kept.delete(doc)
    })
    for (const [oldest, { until }] of this.#kept) {
      if (this.#kept.size <= MAX_KEPT && until > now) break
      this.#kept.delete(oldest)
    }
    return rows
  }

  /**
   * This adapter writes or removes one of the document's chunks: told as the write is asked for and again once it
   * is done, so a read asked for after it never shares one made before it.
   */
  written(doc: string): void {
    this.#kept.delete(doc)
  }

  /** Chunks of any document may have changed (a removal with an empty prefix). */
  writtenAll(): void {
    this.#kept.clear()
  }
}
