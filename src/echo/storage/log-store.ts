/**
 * Every verified membership log entry this device has seen, per space. The root
 * document's log is a map any change can shrink (a peer, a file, another tab);
 * this table only grows, so the fold always has the whole set and the entries
 * the document lost can be written back.
 */
import type { EchoDatabase, LogEntryRow } from './echo-database'

const keyOf = (space: string, id: string): string => `${space}/${id}`

export class LogStore {
  readonly #db: EchoDatabase
  /** Writes under way, in order; `settled()` waits for them (flush, close). */
  #writing: Promise<void> = Promise.resolve()
  #failure: unknown

  constructor(db: EchoDatabase) {
    this.#db = db
  }

  /** The stored entries of `space`, as plain JSON (checked again by the fold like any other input). */
  async load(space: string): Promise<unknown[]> {
    const rows = await this.#db.logEntries.where('spaceId').equals(space).toArray()
    return rows.map((row) => row.entry)
  }

  /** Adds entries (credential id -> plain credential); an entry already stored is left as it is. */
  keep(space: string, entries: ReadonlyMap<string, unknown>): void {
    if (entries.size === 0) return
    const rows: LogEntryRow[] = [...entries].map(([id, entry]) => ({ key: keyOf(space, id), spaceId: space, entry }))
    this.#writing = this.#writing.then(async () => {
      try {
        // bulkAdd keeps the first copy: a stored entry is never replaced.
        await this.#db.logEntries.bulkAdd(rows).catch((error: unknown) => {
          if (!(error instanceof Error && error.name === 'BulkError')) throw error
        })
      } catch (error) {
        this.#failure = error
      }
    })
  }

  /** Resolves when every entry given to `keep` is written; the last write failure, if any, is returned once. */
  async settled(): Promise<unknown> {
    await this.#writing
    const failure = this.#failure
    this.#failure = undefined
    return failure
  }
}
