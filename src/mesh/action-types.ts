/**
 * The action types a connection may carry (review 15, J6). Trystero keeps every whole frame of a type that has no
 * action in the room for the life of the room (`@trystero-p2p/core` action-wire.mjs `pendingActionPayloads`), and
 * our rate limit runs inside our actions only: such frames were memory a peer could grow unseen. So the page knows
 * every type it uses, every swarm makes an action for each of them in each of its rooms (a frame of ours for a room
 * that does not use it is then dropped there, not kept), and the connection drops any other (`pending-cap.ts`).
 */

/** Trystero's own types (room.mjs `internalNs`, actions.mjs `@_response`); `action-types.test.ts` reads its source. */
export const TRYSTERO_ACTION_TYPES: ReadonlySet<string> = new Set([
  '@_ping',
  '@_pong',
  '@_signal',
  '@_stream',
  '@_track',
  '@_leave',
  '@_hsdata',
  '@_hsready',
  '@_response',
])

/** The connection binding's type, made in every room by `swarm-binding.ts` (not a swarm channel). */
export const BIND_CHANNEL = 'cp.bind'

const channels = new Set<string>()
const listeners = new Set<(name: string) => void>()

/** A swarm made the channel `name`: every swarm of the page makes it too (see above). */
export const registerChannel = (name: string): void => {
  if (channels.has(name)) return
  channels.add(name)
  for (const listener of [...listeners]) listener(name)
}

/** The channel names made so far, then each new one; returns the unsubscribe. */
export const watchChannels = (listener: (name: string) => void): (() => void) => {
  for (const name of [...channels]) listener(name)
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Whether a frame of action `type` has an action somewhere on this page. */
export const isKnownActionType = (type: string): boolean =>
  TRYSTERO_ACTION_TYPES.has(type) || type === BIND_CHANNEL || channels.has(type)
