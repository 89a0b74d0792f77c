/**
 * A hostile Nostr relay for the app's pages, and a pipe to a signal worker the suite can kill. Both are Playwright
 * WebSocket routes: the app's `connect-src` admits only its build's relay origin, so a relay on another port would
 * be blocked by the browser before it said a word; a route answers a socket to that origin (another path, or the
 * same one) from here instead.
 */
import type { BrowserContext, WebSocketRoute } from '@playwright/test'

/** One mebibyte: a frame far over anything a relay should send (our worker caps frames at 128 KiB). */
const HUGE = 1024 * 1024

/** What a hostile relay sends to make Trystero give up on it, with the reason the app should show. */
export const REFUSAL = 'blocked: you are not welcome here'

/** Trystero throws on a relay frame that is not JSON (an uncaught error in the page); the spec allows it. */
export const JUNK_FRAME_ERROR = /failed to parse JSON/

/**
 * A relay at `url` that first plays a black hole (it answers like a relay, `EOSE` and `OK true`, but passes no
 * event on, so nobody meets through it) and, once `attack()` is called, sends every socket junk, two 1 MiB frames,
 * `CLOSED` and `OK false`, and answers every later subscription with `CLOSED` and every event with `OK false`.
 */
export class HostileRelay {
  readonly url: string
  readonly #live = new Set<WebSocketRoute>()
  #attacking = false
  /** Frames the pages sent it, by type: what Trystero tried to do with it. */
  readonly received = new Map<string, number>()

  constructor(url: string) {
    this.url = url
  }

  async attach(context: BrowserContext): Promise<void> {
    await context.routeWebSocket(this.url, (socket) => {
      this.#live.add(socket)
      socket.onClose(() => {
        this.#live.delete(socket)
      })
      socket.onMessage((message) => {
        this.#answer(socket, typeof message === 'string' ? message : '')
      })
    })
  }

  /** Turns hostile: every live socket gets the whole treatment now, and later ones on their first frame. */
  attack(): void {
    this.#attacking = true
    for (const socket of this.#live) this.#assault(socket, 'sub')
  }

  get live(): number {
    return this.#live.size
  }

  #answer(socket: WebSocketRoute, text: string): void {
    let frame: unknown
    try {
      frame = JSON.parse(text)
    } catch {
      return
    }
    if (!Array.isArray(frame)) return
    const [type, id] = frame as unknown[]
    const name = typeof type === 'string' ? type : '?'
    this.received.set(name, (this.received.get(name) ?? 0) + 1)
    const subId = typeof id === 'string' ? id : 'sub'
    if (this.#attacking) {
      if (type === 'REQ') this.#assault(socket, subId)
      if (type === 'EVENT') socket.send(JSON.stringify(['OK', eventId(id), false, REFUSAL]))
      return
    }
    if (type === 'REQ') socket.send(JSON.stringify(['EOSE', subId]))
    if (type === 'EVENT') socket.send(JSON.stringify(['OK', eventId(id), true, '']))
  }

  #assault(socket: WebSocketRoute, subId: string): void {
    socket.send('this is not a relay message')
    socket.send('x'.repeat(HUGE))
    socket.send(JSON.stringify(['EVENT', subId, { kind: 20000, content: 'y'.repeat(HUGE), tags: [] }]))
    socket.send(JSON.stringify(['OK', '0'.repeat(64), false, REFUSAL]))
    socket.send(JSON.stringify(['CLOSED', subId, REFUSAL]))
  }
}

const eventId = (event: unknown): string =>
  typeof event === 'object' && event !== null && 'id' in event && typeof event.id === 'string' ? event.id : ''

/**
 * Routes the pages' sockets to `from` (the app's relay URL) through this process to `to` (a signal worker the test
 * may stop): frames pass both ways; when the worker goes (killed, or not there when a page dials), the page's
 * socket closes. Playwright opens a routed socket in the page at once, so a redial while the worker is down shows
 * in the page as a socket that opens and closes at once (Trystero then dials again within 3.3 s, not backing off).
 */
export class RelayPipe {
  readonly #from: string
  readonly #to: string

  constructor(from: string, to: string) {
    this.#from = from
    this.#to = to
  }

  async attach(context: BrowserContext): Promise<void> {
    await context.routeWebSocket(this.#from, (page) => {
      const upstream = new WebSocket(this.#to)
      const queued: string[] = []
      let closed = false
      const close = (): void => {
        if (closed) return
        closed = true
        upstream.close()
        void page.close().catch(() => undefined)
      }
      upstream.addEventListener('open', () => {
        for (const frame of queued.splice(0)) upstream.send(frame)
      })
      upstream.addEventListener('message', (event) => {
        page.send(String(event.data))
      })
      upstream.addEventListener('close', close)
      upstream.addEventListener('error', close)
      page.onMessage((message) => {
        const text = typeof message === 'string' ? message : ''
        if (upstream.readyState === WebSocket.OPEN) upstream.send(text)
        else queued.push(text)
      })
      page.onClose(close)
    })
  }
}
