/**
 * A Dexie middleware that refuses writes past a byte budget with the same
 * `QuotaExceededError` a full origin gives; tests and the bench use it to see
 * how ECHO behaves on a full disk without filling one.
 */
import type { DBCore, DBCoreTable, Middleware } from 'dexie'

export interface QuotaBudget {
  /** Bytes still allowed; below zero every write fails. */
  remaining: number
}

// Byte arrays count by length; everything else by its JSON text.
const sizeOf = (value: unknown): number => {
  let bytes = 0
  const text = JSON.stringify(value, (_key, field: unknown) => {
    if (!(field instanceof Uint8Array)) return field
    bytes += field.byteLength
    return 0
  })
  return bytes + text.length
}

export const quotaBudgetMiddleware = (budget: QuotaBudget): Middleware<DBCore> => ({
  stack: 'dbcore',
  name: 'quota-budget',
  create: (down) => ({
    ...down,
    table: (name) => {
      const table = down.table(name)
      return {
        ...table,
        mutate: (request) => {
          if (request.type === 'put' || request.type === 'add') {
            const bytes = request.values.reduce<number>((sum, value) => sum + sizeOf(value), 0)
            if (bytes > budget.remaining) {
              return Promise.reject(new DOMException('quota exceeded (test budget)', 'QuotaExceededError'))
            }
            budget.remaining -= bytes
          }
          return table.mutate(request)
        },
      }
    },
  }),
})

/** A Dexie middleware that wraps the requests of the chunks table (tests count, refuse or fail them). */
export const chunkTableMiddleware = (name: string, wrap: (table: DBCoreTable) => DBCoreTable): Middleware<DBCore> => ({
  stack: 'dbcore',
  name,
  create: (down) => ({
    ...down,
    table: (tableName) => {
      const table = down.table(tableName)
      return tableName === 'chunks' ? wrap(table) : table
    },
  }),
})

/**
 * Calls `before` ahead of every write of Automerge chunks; an error it returns
 * fails that write. Tests use it to fill the disk at an exact write, or to act
 * at an exact moment of a compaction.
 */
export const chunkWriteHook = (before: () => Error | undefined): Middleware<DBCore> =>
  chunkTableMiddleware('chunk-write-hook', (table) => ({
    ...table,
    mutate: (request) => {
      const refusal = request.type === 'put' || request.type === 'add' ? before() : undefined
      return refusal === undefined ? table.mutate(request) : Promise.reject(refusal)
    },
  }))
