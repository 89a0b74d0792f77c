/**
 * Decodes what a recording proxy saw a client send on one connection: HTTP/1.1 requests (head and body, by
 * Content-Length or chunked), and after a WebSocket upgrade the server accepted, every frame unmasked and every
 * message reassembled and, where permessage-deflate was agreed, inflated. A client's frames are masked with a
 * random key, so a secret in them is invisible to a search of the raw bytes: the search must read these.
 */
import { constants, createInflateRaw, type InflateRaw } from 'node:zlib'
import type { Chunk, RecordedConnection } from './recording-proxy.ts'

interface DecodedRequest {
  readonly at: number
  /** Request line and headers, as sent. */
  readonly head: string
  readonly body: Buffer
}

interface DecodedMessage {
  /** When its last frame arrived. */
  readonly at: number
  /** 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  readonly opcode: number
  readonly payload: Buffer
  readonly compressed: boolean
}

export interface DecodedConnection {
  readonly id: number
  readonly remoteAddress: string
  readonly requests: readonly DecodedRequest[]
  readonly messages: readonly DecodedMessage[]
  /** WebSocket frames on the wire (a message may span several). */
  readonly frames: number
  /** Frames that came unmasked (a browser never sends one). */
  readonly unmaskedFrames: number
  /** The extensions header of the server's 101, if it switched protocols. */
  readonly extensions: string | undefined
  /** Bytes at the end that do not make a whole request or frame (a connection cut mid-message). */
  readonly trailingBytes: number
  readonly raw: Buffer
}

const concat = (chunks: readonly Chunk[]): Buffer => Buffer.concat(chunks.map((chunk) => chunk.bytes))

/** When the byte at `offset` of the concatenated chunks arrived. */
const arrivalOf = (chunks: readonly Chunk[]) => {
  const ends: number[] = []
  let total = 0
  for (const chunk of chunks) ends.push((total += chunk.bytes.length))
  return (offset: number): number => chunks[ends.findIndex((end) => end > offset)]?.at ?? chunks.at(-1)?.at ?? 0
}

export const headerOf = (head: string, name: string): string | undefined => {
  const wanted = `${name.toLowerCase()}:`
  const line = head.split('\r\n').find((each) => each.toLowerCase().startsWith(wanted))
  return line?.slice(wanted.length).trim()
}

const HEAD_END = Buffer.from('\r\n\r\n')

/** The body of a chunked request starting at `offset`; undefined if it is not complete. */
const dechunk = (data: Buffer, offset: number): { body: Buffer; end: number } | undefined => {
  const parts: Buffer[] = []
  let at = offset
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at)
    if (lineEnd < 0) return undefined
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16)
    if (!Number.isFinite(size)) return undefined
    at = lineEnd + 2
    if (size === 0) {
      const trailerEnd = data.indexOf(HEAD_END, at - 2)
      return trailerEnd < 0 ? undefined : { body: Buffer.concat(parts), end: trailerEnd + 4 }
    }
    if (at + size + 2 > data.length) return undefined
    parts.push(data.subarray(at, at + size))
    at += size + 2
  }
}

/** Inflates one message with the connection's running window (context takeover is the default). */
const inflate = (inflater: InflateRaw, payload: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const out: Buffer[] = []
    const onData = (chunk: Buffer) => out.push(chunk)
    inflater.on('data', onData)
    inflater.once('error', reject)
    // RFC 7692: the sender removed the empty block's tail; it is put back before inflating.
    inflater.write(Buffer.concat([payload, Buffer.from([0x00, 0x00, 0xff, 0xff])]))
    inflater.flush(constants.Z_SYNC_FLUSH, () => {
      inflater.off('data', onData)
      inflater.off('error', reject)
      resolve(Buffer.concat(out))
    })
  })

interface Frames {
  readonly messages: DecodedMessage[]
  readonly frames: number
  readonly unmasked: number
  readonly end: number
}

const readFrames = async (
  data: Buffer,
  start: number,
  arrival: (offset: number) => number,
  deflate: boolean,
): Promise<Frames> => {
  const messages: DecodedMessage[] = []
  const inflater = deflate ? createInflateRaw() : undefined
  let frames = 0
  let unmasked = 0
  let at = start
  let pending: { opcode: number; compressed: boolean; parts: Buffer[] } | undefined
  try {
    while (at + 2 <= data.length) {
      const first = data[at] ?? 0
      const second = data[at + 1] ?? 0
      let length = second & 0x7f
      let header = 2
      if (length === 126) {
        if (at + 4 > data.length) break
        length = data.readUInt16BE(at + 2)
        header = 4
      } else if (length === 127) {
        if (at + 10 > data.length) break
        length = Number(data.readBigUInt64BE(at + 2))
        header = 10
      }
      const masked = (second & 0x80) !== 0
      const keyAt = at + header
      const payloadAt = keyAt + (masked ? 4 : 0)
      if (payloadAt + length > data.length) break
      const payload = Buffer.from(data.subarray(payloadAt, payloadAt + length))
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (data[keyAt + (i % 4)] ?? 0)
      else unmasked++
      frames++
      at = payloadAt + length
      const fin = (first & 0x80) !== 0
      const opcode = first & 0x0f
      if (opcode >= 8) {
        messages.push({ at: arrival(at - 1), opcode, payload, compressed: false })
        continue
      }
      if (opcode !== 0) pending = { opcode, compressed: (first & 0x40) !== 0, parts: [] }
      if (pending === undefined) continue
      pending.parts.push(payload)
      if (!fin) continue
      const whole = Buffer.concat(pending.parts)
      const decoded = pending.compressed && inflater !== undefined ? await inflate(inflater, whole) : whole
      messages.push({ at: arrival(at - 1), opcode: pending.opcode, payload: decoded, compressed: pending.compressed })
      pending = undefined
    }
  } finally {
    inflater?.close()
  }
  return { messages, frames, unmasked, end: at }
}

/** Everything the client sent on `connection`, decoded. */
export const decodeConnection = async (connection: RecordedConnection): Promise<DecodedConnection> => {
  const raw = concat(connection.toServer)
  const arrival = arrivalOf(connection.toServer)
  const answer = concat(connection.toClient)
  const answerHead = answer.subarray(0, Math.max(0, answer.indexOf(HEAD_END))).toString('latin1')
  const switched = answerHead.startsWith('HTTP/1.1 101 ')
  const extensions = switched ? headerOf(answerHead, 'sec-websocket-extensions') : undefined
  const requests: DecodedRequest[] = []
  let at = 0
  for (;;) {
    const headEnd = raw.indexOf(HEAD_END, at)
    if (headEnd < 0) break
    const head = raw.subarray(at, headEnd).toString('latin1')
    const bodyAt = headEnd + 4
    const length = Number(headerOf(head, 'content-length') ?? '0')
    const whole =
      headerOf(head, 'transfer-encoding')?.toLowerCase().includes('chunked') === true
        ? dechunk(raw, bodyAt)
        : bodyAt + length > raw.length
          ? undefined
          : { body: raw.subarray(bodyAt, bodyAt + length), end: bodyAt + length }
    if (whole === undefined) break
    const { body, end } = whole
    requests.push({ at: arrival(end - 1), head, body })
    at = end
    if (switched && headerOf(head, 'upgrade')?.toLowerCase() === 'websocket') {
      const deflate = extensions?.includes('permessage-deflate') === true
      const frames = await readFrames(raw, at, arrival, deflate)
      return {
        id: connection.id,
        remoteAddress: connection.remoteAddress,
        requests,
        messages: frames.messages,
        frames: frames.frames,
        unmaskedFrames: frames.unmasked,
        extensions,
        trailingBytes: raw.length - frames.end,
        raw,
      }
    }
  }
  return {
    id: connection.id,
    remoteAddress: connection.remoteAddress,
    requests,
    messages: [],
    frames: 0,
    unmaskedFrames: 0,
    extensions,
    trailingBytes: raw.length - at,
    raw,
  }
}

/** `%XX` escapes of a request head decoded byte for byte (a secret in a query string may be escaped). */
const percentDecoded = (text: string): Buffer => {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3)
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16))
      i += 2
    } else bytes.push(text.charCodeAt(i) & 0xff)
  }
  return Buffer.from(bytes)
}

/** The decoded bytes of a connection to search: each request's head (also percent-decoded) and body, each message. */
export const decodedParts = (connection: DecodedConnection): Buffer[] => [
  ...connection.requests.flatMap((request) => [
    Buffer.from(request.head, 'latin1'),
    percentDecoded(request.head),
    request.body,
  ]),
  ...connection.messages.map((message) => message.payload),
]
