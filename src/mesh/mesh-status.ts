import * as v from 'valibot'
import { relayStatusSchema } from './relay-status'

/**
 * Where a space (or the whole mesh) stands. `connecting`: no leader tab has told yet, or its mesh is
 * starting; `offline`: no network; `alone`: online, but none of the other devices is reachable.
 */
const SYNC_STATES = ['connecting', 'offline', 'alone', 'syncing', 'up-to-date'] as const

const device = v.pipe(v.string(), v.maxLength(128))
const name = v.pipe(v.string(), v.maxLength(256))
const time = v.pipe(v.number(), v.integer(), v.minValue(0))
const count = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000))

/** `identity`: the key the peer proved, so a space's members can be shown with their devices online. */
const peer = v.strictObject({ device, name: v.optional(name), identity: v.optional(device) })
const lastSynced = v.strictObject({ at: time, device, name: v.optional(name) })
/** `tooLarge`: how many of the space's documents are too large to send (over the frame cap): they stay here. */
const spaceStatus = v.strictObject({
  state: v.picklist(SYNC_STATES),
  peers: v.pipe(v.array(peer), v.maxLength(1000)),
  lastSynced: v.optional(lastSynced),
  tooLarge: v.optional(count),
})
const meshStatus = v.strictObject({
  overall: v.picklist(SYNC_STATES),
  spaces: v.pipe(
    v.record(v.pipe(v.string(), v.maxLength(256)), spaceStatus),
    v.check((spaces) => Object.keys(spaces).length <= 10_000),
  ),
  lastSynced: v.optional(lastSynced),
  /** Each relay of the leader's mesh, in its settings' order (`watchRelays`). */
  relays: v.optional(v.pipe(v.array(relayStatusSchema), v.maxLength(64))),
})

/** The leader's sync status, as every tab shows it: plain JSON, so it crosses the tab channel as is. */
export type MeshStatus = v.InferOutput<typeof meshStatus>

const tab = v.pipe(v.string(), v.maxLength(64))
const message = v.variant('type', [
  v.strictObject({ type: v.literal('status'), leader: tab, status: meshStatus }),
  v.strictObject({ type: v.literal('gone'), leader: tab }),
  v.strictObject({ type: v.literal('request') }),
])
/** What the tabs of a profile say on the `mesh` tab channel: the leader's status, its leaving, a request. */
type MeshStatusMessage = v.InferOutput<typeof message>

/** Checks a message from another tab: strict objects, bounded strings and lists; anything else is refused. */
export const isMeshStatusMessage = (data: unknown): data is MeshStatusMessage => v.is(message, data)
