/**
 * Every verified membership log entry this device has seen, per space. The root
 * document's log is a map any change can shrink (a peer, a file, another tab);
 * this table only grows, so the fold always has the whole set and the entries
 * the document lost can be written back.
 */
import { AddOnlyWrites } from './add-only-writes'
import type { EchoDatabase, LogEntryRow } from './echo-database'

const keyOf = (space: string, id: string): string => `${space}/${id}`

export class LogStore {
  readonly #db: EchoDatabase
  readonly #writes: AddOnlyWrites<LogEntryRow>

  constructor(db: EchoDatabase) {
    this.#db = db
    this.#writes = new AddOnlyWrites(db.logEntries)
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
    this.#writes.add(rows)
  }

  /** Resolves when every entry given to `keep` is written; the last write failure, if any, is returned once. */
  settled(): Promise<unknown> {
    return this.#writes.settled()
  }
}
