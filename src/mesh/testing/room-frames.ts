/**
 * A data-channel message as Trystero sends one (see `room-chunk.ts`): a room frame (version 1, token) around one
 * action chunk, the last of its message; `tag` adds Trystero's other tag bits (4: binary, 8: JSON).
 */
export const roomFrame = (
  type: string,
  nonce: number,
  payload: Uint8Array,
  { token = 'a'.repeat(64), tag = 4 }: { readonly token?: string; readonly tag?: number } = {},
): ArrayBuffer => {
  const tokenBytes = new TextEncoder().encode(token)
  const chunk = new Uint8Array(36 + payload.length)
  chunk.set(new TextEncoder().encode(type))
  chunk.set([nonce >> 8, nonce & 255], 32)
  chunk.set([1 | tag], 34)
  chunk.set([255], 35)
  chunk.set(payload, 36)
  const frame = new Uint8Array(3 + tokenBytes.length + chunk.length)
  frame.set([1, tokenBytes.length >> 8, tokenBytes.length & 255])
  frame.set(tokenBytes, 3)
  frame.set(chunk, 3 + tokenBytes.length)
  return frame.buffer
}
