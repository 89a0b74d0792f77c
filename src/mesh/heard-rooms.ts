import { onEveryChannel } from './every-channel'
import { roomChunkOf } from './room-chunk'

/**
 * Which rooms a connection's remote sends frames for, and when it last did (`swarm.ts` `outOfStep`): only the
 * remote can send on its connection, so a frame for a room's token says the remote is in that room with us, which
 * nobody else can claim for it (a relay or a password holder can announce any page id in any room).
 */

/** Room tokens kept per connection: a remote sending frames for more rooms than that pushes its oldest out. */
export const HEARD_ROOMS_KEPT = 64

const heard = new WeakMap<object, Map<string, number>>()

/** Stands for every room in `heardFrom`: all rooms of a page share the connection, and its one data channel. */
export const ANY_ROOM = '*'

const heardAny = new WeakMap<object, number>()

/**
 * When `connection`'s remote last sent a frame for the room `token`, or for any room with `ANY_ROOM` (ms since the
 * epoch), if it did.
 */
export const heardFrom = (connection: object, token: string): number | undefined =>
  token === ANY_ROOM ? heardAny.get(connection) : heard.get(connection)?.get(token)

/**
 * The token Trystero names a room by on a shared connection (`@trystero-p2p/core` crypto.mjs
 * `deriveRoomNamespace`: SHA-256 of `Trystero:<appId>:<roomId>`, in lowercase hex).
 */
export const roomToken = async (appId: string, roomId: string): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`Trystero:${appId}:${roomId}`))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** `Base` (the browser's RTCPeerConnection) that records which room tokens its remote sends frames for. */
export const roomsHeardPeerConnection = (Base: typeof RTCPeerConnection, now: () => number = Date.now) =>
  class RoomsHeardPeerConnection extends Base {
    constructor(configuration?: RTCConfiguration) {
      super(configuration)
      onEveryChannel(this, (channel) => {
        this.#watch(channel)
      })
    }

    #watch(channel: RTCDataChannel): void {
      channel.addEventListener('message', (event: MessageEvent) => {
        const token = roomChunkOf(event.data)?.token
        if (token === undefined) return
        const at = now()
        heardAny.set(this, at)
        const rooms = heard.get(this) ?? new Map<string, number>()
        heard.set(this, rooms)
        rooms.delete(token)
        rooms.set(token, at)
        if (rooms.size > HEARD_ROOMS_KEPT) {
          const oldest = rooms.keys().next().value
          if (oldest !== undefined) rooms.delete(oldest)
        }
      })
    }
  }
