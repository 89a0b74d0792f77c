/**
 * The invitation rooms (`inviteRooms` entries of a space's root) this device verified, per space: signed by their
 * invite key, for an invitation in the log. The root's field is a map any member who writes can empty (review 16,
 * K3: an editor deleted an open invitation's entry and nobody could host it, its inviter neither, who wiped K);
 * this table is reached by no change, so the device hosts from its copy and writes it back (like `log-store.ts`).
 */
import { AddOnlyWrites } from './add-only-writes'
import type { EchoDatabase, InvitationRoomRow } from './echo-database'

export class InvitationRoomStore {
  readonly #db: EchoDatabase
  readonly #writes: AddOnlyWrites<InvitationRoomRow>

  constructor(db: EchoDatabase) {
    this.#db = db
    this.#writes = new AddOnlyWrites(db.invitationRooms)
  }

  /** The stored entries of `space`, by invite key, as plain JSON (checked for shape again by the reader). */
  async load(space: string): Promise<ReadonlyMap<string, unknown>> {
    const rows = await this.#db.invitationRooms.where('spaceId').equals(space).toArray()
    return new Map(rows.map((row) => [row.inviteKey, row.entry]))
  }

  /** Adds entries (invite key -> entry); one already stored for that key is left as it is. */
  keep(space: string, entries: ReadonlyMap<string, unknown>): void {
    if (entries.size === 0) return
    const rows: InvitationRoomRow[] = [...entries].map(([inviteKey, entry]) => ({
      key: `${space}/${inviteKey}`,
      spaceId: space,
      inviteKey,
      entry,
    }))
    this.#writes.add(rows)
  }

  /** Resolves when every entry given to `keep` is written; the last write failure, if any, is returned once. */
  settled(): Promise<unknown> {
    return this.#writes.settled()
  }
}
