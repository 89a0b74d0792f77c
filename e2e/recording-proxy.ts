/**
 * A TCP proxy on 127.0.0.1 that records every byte of every connection, both ways, before forwarding it: what a
 * server behind it receives, byte for byte (the HTTP requests, a WebSocket upgrade and its masked frames), not what
 * the page believes it sent. `traffic-decode.ts` turns a recording into requests and frames.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { freePort } from '../scripts/free-port.ts'

/** Bytes as they arrived, with when (ms since the epoch). */
export interface Chunk {
  readonly at: number
  readonly bytes: Buffer
}

export interface RecordedConnection {
  readonly id: number
  readonly openedAt: number
  /** The client's address as the proxy saw it. */
  readonly remoteAddress: string
  /** Client to server, in order. */
  readonly toServer: Chunk[]
  /** Server to client, in order: only read to learn what the server agreed to (the 101 and its extensions). */
  readonly toClient: Chunk[]
  closedAt: number | undefined
}

export interface RecordingProxy {
  /** The port clients connect to. */
  readonly port: number
  readonly connections: readonly RecordedConnection[]
  /** Bytes received from clients so far, over all connections. */
  bytesToServer(): number
  close(): Promise<void>
}

export const startRecordingProxy = async (targetPort: number): Promise<RecordingProxy> => {
  const connections: RecordedConnection[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const record: RecordedConnection = {
      id: connections.length,
      openedAt: Date.now(),
      remoteAddress: client.remoteAddress ?? '',
      toServer: [],
      toClient: [],
      closedAt: undefined,
    }
    connections.push(record)
    const upstream = connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.once('close', () => {
        sockets.delete(socket)
        record.closedAt ??= Date.now()
      })
      // A reset on one side ends the other; the recording keeps what arrived.
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    // Each chunk is kept as it arrived (a copy: Node may reuse the buffer), then forwarded.
    client.on('data', (chunk: Buffer) => record.toServer.push({ at: Date.now(), bytes: Buffer.from(chunk) }))
    upstream.on('data', (chunk: Buffer) => record.toClient.push({ at: Date.now(), bytes: Buffer.from(chunk) }))
    client.pipe(upstream)
    upstream.pipe(client)
  })
  const port = await freePort()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return {
    port,
    connections,
    bytesToServer: () =>
      connections.reduce((sum, each) => sum + each.toServer.reduce((bytes, chunk) => bytes + chunk.bytes.length, 0), 0),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
