import * as v from 'valibot'

/** At most this many spaces are kept: as many as the shared status lists. */
export const MAX_KEPT_SPACES = 10_000

const key = v.pipe(v.string(), v.maxLength(128))
const entry = v.strictObject({ at: v.pipe(v.number(), v.integer(), v.minValue(0)), device: key })
const kept = v.strictObject({
  identity: key,
  spaces: v.pipe(
    v.record(v.pipe(v.string(), v.maxLength(256)), entry),
    v.check((spaces) => Object.keys(spaces).length <= MAX_KEPT_SPACES),
  ),
})

/**
 * When this device last was in sync in each space, and with which device (the leader's sync status), as the client
 * keeps it on this device for an identity: names are not kept, they are HALO's to tell.
 */
type KeptLastSynced = v.InferOutput<typeof kept>

/** A kept value read back from storage: the same strict, bounded shape, or undefined for anything else. */
export const parseKeptLastSynced = (value: unknown): KeptLastSynced | undefined => {
  const parsed = v.safeParse(kept, value)
  return parsed.success ? parsed.output : undefined
}
