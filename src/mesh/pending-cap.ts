import { onEveryChannel } from './every-channel'
import { isKnownActionType } from './action-types'
import { roomChunkOf } from './room-chunk'

/**
 * A cap on what a connection may send us before any room of ours let its peer in (SECURITY.md P57). Trystero
 * reassembles a pending peer's handshake chunks with no size limit (`@trystero-p2p/core` action-wire.mjs
 * `handleData`) and hands our handshake only whole frames, so our size checks came after the bytes were held. It
 * takes its `RTCPeerConnection` from the config (`rtcPolyfill`), so we give it one that listens to its data channel
 * before Trystero does: past `MAX_PENDING_BYTES` received while untrusted, the chunk is stopped there and the
 * connection closed. The same listener stops, trusted or not, every chunk of an action type nobody on this page made
 * (`action-types.ts`; review 15, J6), which Trystero would keep for the life of the room, and closes the connection
 * past `MAX_STRAY_BYTES` of them.
 */

/**
 * 60 rooms' handshakes at once over one connection, each at our largest Hello (4 KB) and Proof (64 KB), with
 * Trystero's framing; honest ones are a few KB a room.
 */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024

/**
 * Stray chunks a connection may bring before it is closed: a build with a channel this one lacks sends some, an
 * honest peer of this build none; 1 MiB is 64 of Trystero's full chunks.
 */
export const MAX_STRAY_BYTES = 1024 * 1024

/** Connections whose peer passed a handshake of ours (`trustConnection`); past that, rooms' own limits apply. */
const trusted = new WeakSet<object>()

/** Whether a peer passed a handshake of ours over `connection`. */
export const isTrusted = (connection: object): boolean => trusted.has(connection)

/** The connection's peer passed a handshake here: what it sends is no longer a pending peer's. */
export const trustConnection = (connection: object | undefined): void => {
  if (connection !== undefined) trusted.add(connection)
}

const sizeOf = (data: unknown): number => {
  if (typeof data === 'string') return data.length
  if (data instanceof ArrayBuffer) return data.byteLength
  if (ArrayBuffer.isView(data)) return data.byteLength
  // Trystero asks for ArrayBuffers; anything else (a Blob) is not what an honest peer sends.
  return Number.POSITIVE_INFINITY
}

/**
 * The action type of a chunk as Trystero reads it (action-wire.mjs `handleData`: the first 32 bytes, NULs removed),
 * or undefined for anything else (a room presence frame, or bytes Trystero drops as unreadable).
 */
export const actionTypeOf = (data: unknown): string | undefined => roomChunkOf(data)?.type

/** `Base` (the browser's RTCPeerConnection) whose data channels count what arrives until the connection is trusted. */
export const cappedPeerConnection = (
  Base: typeof RTCPeerConnection,
  maxPendingBytes = MAX_PENDING_BYTES,
  maxStrayBytes = MAX_STRAY_BYTES,
) =>
  class CappedPeerConnection extends Base {
    #received = 0
    #stray = 0

    constructor(configuration?: RTCConfiguration) {
      super(configuration)
      onEveryChannel(this, (channel) => {
        this.#watch(channel)
      })
    }

    #watch(channel: RTCDataChannel): void {
      // Before Trystero's `onmessage`: a stopped event never reaches its reassembly.
      channel.addEventListener('message', (event: MessageEvent) => {
        const size = sizeOf(event.data)
        if (!trusted.has(this)) {
          this.#received += size
          if (this.#received > maxPendingBytes) {
            event.stopImmediatePropagation()
            this.close()
            return
          }
        }
        const type = actionTypeOf(event.data)
        if (type === undefined || isKnownActionType(type)) return
        event.stopImmediatePropagation()
        this.#stray += size
        if (this.#stray > maxStrayBytes) this.close()
      })
    }
  }
