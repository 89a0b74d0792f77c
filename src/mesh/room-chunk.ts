/**
 * One data-channel message as Trystero frames a room's action (`@trystero-p2p/core` shared-peer.mjs
 * `wrapRoomFrame`: version 1, a two-byte token length, the room token; then action-wire.mjs: 32 bytes of action
 * type padded with NULs, a two-byte nonce, a tag byte, a progress byte, the payload).
 */
export interface RoomChunk {
  readonly token: string
  readonly type: string
  /** Bit 0: the last chunk of its message; bit 1: its metadata; bit 2: binary; bit 3: JSON. */
  readonly tag: number
  readonly payload: Uint8Array
}

const ACTION_HEADER = 36
const text = new TextDecoder()

const bytesOf = (data: unknown): Uint8Array | undefined =>
  data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : undefined

/** The room and action of a chunk as Trystero reads them, or undefined for anything else (a presence frame). */
export const roomChunkOf = (data: unknown): RoomChunk | undefined => {
  const bytes = bytesOf(data)
  if (bytes === undefined || bytes.byteLength < 3 || bytes[0] !== 1) return undefined
  const tokenSize = ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0)
  const header = 3 + tokenSize
  if (tokenSize <= 0 || bytes.byteLength < header) return undefined
  return {
    token: text.decode(bytes.subarray(3, header)),
    type: text.decode(bytes.subarray(header, header + 32)).replaceAll('\0', ''),
    tag: bytes[header + 34] ?? 0,
    payload: bytes.subarray(Math.min(bytes.byteLength, header + ACTION_HEADER)),
  }
}
