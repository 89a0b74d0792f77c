/** The list of spaces on this device (a cache of each space's root document, plus local flags). */
import { liveQuery } from 'dexie'
import { Cell } from '../../base'
import type { Observable } from '../../base'
import type { EchoDatabase, SpaceRow } from './echo-database'

export const putSpace = async (db: EchoDatabase, row: SpaceRow): Promise<void> => {
  await db.spaces.put(row)
}

export const getSpace = (db: EchoDatabase, id: string): Promise<SpaceRow | undefined> => db.spaces.get(id)

export const updateSpace = async (
  db: EchoDatabase,
  id: string,
  changes: Partial<Pick<SpaceRow, 'name' | 'archived'>>,
): Promise<void> => {
  await db.spaces.update(id, changes)
}

/** Writes the space's name as its root now says, unless the row has it already. */
export const keepSpaceName = async (db: EchoDatabase, id: string, name: string): Promise<void> => {
  await db.spaces
    .where('id')
    .equals(id)
    .filter((row) => row.name !== name)
    .modify({ name })
}

export const spacesOf = (db: EchoDatabase, identity: string): Promise<SpaceRow[]> =>
  db.spaces.where('identity').equals(identity).sortBy('createdAt')

/** The identity's spaces, kept current (also when another tab adds one); `close` stops it. */
export const liveSpaces = (
  db: EchoDatabase,
  identity: string,
): Observable<readonly SpaceRow[] | undefined> & { close(): void } => {
  const cell = new Cell<readonly SpaceRow[] | undefined>(undefined)
  const subscription = liveQuery(() => spacesOf(db, identity)).subscribe({ next: (rows) => cell.set(rows) })
  return {
    get: () => cell.get(),
    subscribe: (listener) => cell.subscribe(listener),
    close: () => subscription.unsubscribe(),
  }
}

/** Every space on this device, whichever identity it belongs to. */
export const allSpaces = (db: EchoDatabase): Promise<SpaceRow[]> => db.spaces.toArray()
