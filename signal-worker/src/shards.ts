import { ConfigError } from './config-error'

/**
 * The shards this worker serves, from `ALLOWED_SHARDS`. Each shard is a
 * Durable Object, created on first use; a name outside the list is answered
 * 404 before any object is touched, so a client cannot make the worker create
 * objects by inventing names (on `/r/<name>` or `/health?shard=<name>`).
 */
export interface ShardPolicy {
  allows(name: string): boolean
  /** The first listed shard: what `/health` reports when no shard is named. */
  readonly first: string
  readonly names: readonly string[]
}

/** The form of one name; the list is what bounds how many exist. */
export const SHARD_NAME = /^[A-Za-z0-9_-]{1,64}$/

/** Enough for any deployment's rooms to spread over; each listed name may cost one object. */
export const MAX_SHARDS = 64

export const parseShards = (list: string): ShardPolicy => {
  const names = [
    ...new Set(
      list
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    ),
  ]
  const bad = names.find((name) => !SHARD_NAME.test(name))
  if (bad !== undefined) throw new ConfigError(`ALLOWED_SHARDS: "${bad}" is not 1-64 of A-Z a-z 0-9 _ -`)
  const [first] = names
  if (first === undefined) throw new ConfigError('ALLOWED_SHARDS must name at least one shard')
  if (names.length > MAX_SHARDS) throw new ConfigError(`ALLOWED_SHARDS names more than ${MAX_SHARDS} shards`)
  const known = new Set(names)
  return { allows: (name) => known.has(name), first, names }
}
