/**
 * Writes to a table that only grows (`log-store.ts`, `invitation-room-store.ts`): rows are added in order, and a
 * row already stored under its key is kept as it is, never replaced, so the first copy a device verified stays.
 */
import type { EntityTable } from 'dexie'

export class AddOnlyWrites<Row extends { key: string }> {
  readonly #table: EntityTable<Row, 'key'>
  /** Writes under way, in order; `settled()` waits for them (flush, close). */
  #writing: Promise<void> = Promise.resolve()
  #failure: unknown

  constructor(table: EntityTable<Row, 'key'>) {
    this.#table = table
  }

  /** Adds `rows` after the writes before them; a failure is kept for `settled()`. */
  add(rows: readonly Row[]): void {
    if (rows.length === 0) return
    this.#writing = this.#writing.then(async () => {
      try {
        // bulkAdd refuses the rows whose key is stored (a BulkError) and writes the others.
        await this.#table.bulkAdd(rows as Row[]).catch((error: unknown) => {
          if (!(error instanceof Error && error.name === 'BulkError')) throw error
        })
      } catch (error) {
        this.#failure = error
      }
    })
  }

  /** Resolves when every row given to `add` is written; the last write failure, if any, is returned once. */
  async settled(): Promise<unknown> {
    await this.#writing
    const failure = this.#failure
    this.#failure = undefined
    return failure
  }
}
