/**
 * A cap on what a connection may send us before any room of ours let its peer in (SECURITY.md P57). Trystero
 * reassembles a pending peer's handshake chunks with no size limit (`@trystero-p2p/core` action-wire.mjs
 * `handleData`) and hands our handshake only whole frames, so our size checks came after the bytes were held. It
 * takes its `RTCPeerConnection` from the config (`rtcPolyfill`), so we give it one that listens to its data channel
 * before Trystero does: past `MAX_PENDING_BYTES` received while untrusted, the chunk is stopped there and the
 * connection closed.
 */

/**
 * 60 rooms' handshakes at once over one connection, each at our largest Hello (4 KB) and Proof (64 KB), with
 * Trystero's framing; honest ones are a few KB a room.
 */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024

/** Connections whose peer passed a handshake of ours (`trustConnection`); past that, rooms' own limits apply. */
const trusted = new WeakSet<object>()

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

/** `Base` (the browser's RTCPeerConnection) whose data channels count what arrives until the connection is trusted. */
export const cappedPeerConnection = (Base: typeof RTCPeerConnection, maxPendingBytes = MAX_PENDING_BYTES) =>
  class CappedPeerConnection extends Base {
    #received = 0

    constructor(configuration?: RTCConfiguration) {
      super(configuration)
      // Registered before Trystero sets `ondatachannel`, so this runs first and the channel is watched first.
      this.addEventListener('datachannel', (event) => {
        this.#watch(event.channel)
      })
    }

    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, init)
      this.#watch(channel)
      return channel
    }

    #watch(channel: RTCDataChannel): void {
      // Before Trystero's `onmessage`: a stopped event never reaches its reassembly.
      channel.addEventListener('message', (event: MessageEvent) => {
        if (trusted.has(this)) return
        this.#received += sizeOf(event.data)
        if (this.#received <= maxPendingBytes) return
        event.stopImmediatePropagation()
        this.close()
      })
    }
  }
