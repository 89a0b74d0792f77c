/** A Nostr client for the tests: sends frames and awaits the ones that come back, in order. */
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'

export type Frame = readonly unknown[]

const DEADLINE_MS = 5_000

/** Node's WebSocket (undici) also takes handshake headers, which the DOM type does not declare. */
const NodeWebSocket = WebSocket as unknown as new (url: string, init?: { headers: Record<string, string> }) => WebSocket

export class TestSocket {
  readonly #ws: WebSocket
  readonly #frames: string[] = []
  readonly #waiters = new Set<() => void>()
  readonly closed: Promise<void>

  private constructor(ws: WebSocket) {
    this.#ws = ws
    ws.onmessage = (message) => {
      this.#frames.push(String(message.data))
      for (const wake of this.#waiters) wake()
    }
    this.closed = new Promise((resolve) => ws.addEventListener('close', () => resolve()))
  }

  /** Opens a socket, sending `headers` (such as `origin` or `cf-connecting-ip`) with the handshake. */
  static open(url: string, headers?: Record<string, string>): Promise<TestSocket> {
    const ws = new NodeWebSocket(url, headers === undefined ? undefined : { headers })
    return new Promise((resolve, reject) => {
      ws.onopen = () => resolve(new TestSocket(ws))
      ws.onerror = () => reject(new Error(`could not open ${url}`))
    })
  }

  send(frame: Frame | string | Uint8Array<ArrayBuffer>): void {
    this.#ws.send(typeof frame === 'string' || frame instanceof Uint8Array ? frame : JSON.stringify(frame))
  }

  /** The next frame as text; fails after a deadline rather than hanging the run. */
  async nextText(): Promise<string> {
    const deadline = Date.now() + DEADLINE_MS
    while (this.#frames.length === 0) {
      if (this.#ws.readyState !== WebSocket.OPEN) throw new Error('socket closed while a frame was awaited')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('no frame arrived in time')
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer)
          this.#waiters.delete(wake)
          resolve()
        }
        const timer = setTimeout(wake, left)
        this.#waiters.add(wake)
      })
    }
    return this.#frames.shift() ?? ''
  }

  async next(): Promise<Frame> {
    return JSON.parse(await this.nextText()) as Frame
  }

  /** REQ and wait for its EOSE. */
  async subscribe(subId: string, topics: readonly string[], extra: Record<string, unknown> = {}): Promise<void> {
    this.send(['REQ', subId, { '#x': topics, ...extra }])
    const reply = await this.next()
    if (reply[0] !== 'EOSE' || reply[1] !== subId) throw new Error(`expected EOSE, got ${JSON.stringify(reply)}`)
  }

  /** EVENT and wait for its OK; returns the OK frame. */
  async publish(event: NostrEvent): Promise<Frame> {
    this.send(['EVENT', event])
    return this.next()
  }

  /** Frames received and not yet read. */
  get pending(): number {
    return this.#frames.length
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN
  }

  close(): Promise<void> {
    this.#ws.close()
    return this.closed
  }
}

export interface NostrEvent {
  id: string
  pubkey: string
  created_at: number
  kind: number
  tags: string[][]
  content: string
  sig: string
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex')

/** An event shaped like Trystero's: ephemeral kind derived from the topic, one `x` tag. */
export const nostrEvent = (topic: string, content = 'sealed', overrides: Partial<NostrEvent> = {}): NostrEvent => ({
  id: hex(32),
  pubkey: hex(32),
  created_at: Math.floor(Date.now() / 1000),
  kind: 20_000 + (Array.from(topic, (char) => char.charCodeAt(0)).reduce((sum, code) => sum + code, 0) % 10_000),
  tags: [['x', topic]],
  content,
  sig: hex(64),
  ...overrides,
})

/** A random 64-character subscription id, as Trystero makes them. */
export const subId = (): string => hex(32)

/** The HTTP status a WebSocket handshake gets (101 when it is accepted). */
export const handshakeStatus = (url: string, headers: Record<string, string> = {}): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    })
    req.on('upgrade', (response, socket) => {
      socket.destroy()
      resolve(response.statusCode ?? 0)
    })
    req.on('response', (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })

/** Polls `check` until it holds: for state that changes on the relay's side after an action. */
export const eventually = async (check: () => Promise<boolean>, what: string): Promise<void> => {
  const deadline = Date.now() + DEADLINE_MS
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
