import { getRelaySockets } from 'trystero'
import { nextRelayStatus, readRelayFrame, type RelayEvent, type RelayStatus } from './relay-status'

type SocketEvent = 'open' | 'close' | 'message'
type SocketListener = (event: Event) => void

/** The part of a relay's WebSocket the watcher uses: it listens beside Trystero, and never sends or closes. */
export interface RelaySocket {
  readonly readyState: number
  addEventListener(type: SocketEvent, listener: SocketListener): void
  removeEventListener(type: SocketEvent, listener: SocketListener): void
}

/** Trystero's current socket per relay URL (one per page, shared by every room; a new one after each redial). */
export type RelaySockets = () => Readonly<Record<string, RelaySocket>>

// Typed `any` by Trystero: read as unknown, and only WebSockets are kept.
const readTrysteroSockets = getRelaySockets as () => unknown

/** The real Trystero's sockets. */
export const trysteroRelaySockets: RelaySockets = () => {
  const found = readTrysteroSockets()
  if (typeof found !== 'object' || found === null) return {}
  return Object.fromEntries(
    Object.entries(found).filter((entry): entry is [string, WebSocket] => entry[1] instanceof WebSocket),
  )
}

const OPEN = 1

/** How often the watcher looks for new sockets and tells what changed: a junk flood costs at most 2 updates/s. */
const DEFAULT_POLL_MS = 500

const intervalTimer = (ms: number, tick: () => void): (() => void) => {
  const timer = setInterval(tick, ms)
  return () => {
    clearInterval(timer)
  }
}

export interface RelayWatchOptions {
  /** The relays the mesh uses (its settings' signal workers and public relays), in order. */
  readonly urls: readonly string[]
  readonly sockets?: RelaySockets
  /** Runs `tick` every `ms` until the returned function is called. */
  readonly every?: (ms: number, tick: () => void) => () => void
  readonly pollMs?: number
  /** Called with every relay's status at the start and whenever one changed (at most once per poll). */
  readonly onChange: (relays: readonly RelayStatus[]) => void
}

/** A running watch. */
export interface RelayWatch {
  /**
   * Looks for new sockets now. Trystero makes a page's relay sockets inside its first `joinRoom`, so calling this
   * right after a join listens before any frame can arrive (a relay that refuses at once is not missed).
   */
  look(): void
  stop(): void
}

/**
 * Follows what each relay does to us, by listening to Trystero's sockets (`getRelaySockets()`): the frames it sends
 * (read as Trystero reads them), and its socket opening and closing.
 */
export const watchRelays = (options: RelayWatchOptions): RelayWatch => {
  const sockets = options.sockets ?? trysteroRelaySockets
  const urls = [...new Set(options.urls)]
  const statuses = new Map<string, RelayStatus>(urls.map((url) => [url, { url, state: 'connecting' }]))
  const watched = new Map<string, { readonly socket: RelaySocket; readonly detach: () => void }>()
  let told = ''

  const apply = (url: string, event: RelayEvent): void => {
    const status = statuses.get(url)
    if (status !== undefined) statuses.set(url, nextRelayStatus(status, event))
  }
  const attach = (url: string, socket: RelaySocket): (() => void) => {
    const listeners: Record<SocketEvent, SocketListener> = {
      open: () => {
        apply(url, { kind: 'open' })
      },
      close: () => {
        apply(url, { kind: 'close' })
      },
      message: (event) => {
        apply(url, readRelayFrame(event instanceof MessageEvent ? (event.data as unknown) : undefined))
      },
    }
    for (const [type, listener] of Object.entries(listeners)) socket.addEventListener(type as SocketEvent, listener)
    return () => {
      for (const [type, listener] of Object.entries(listeners))
        socket.removeEventListener(type as SocketEvent, listener)
    }
  }
  const tick = (): void => {
    const current = sockets()
    for (const url of urls) {
      const socket = current[url]
      if (socket === undefined || watched.get(url)?.socket === socket) continue
      watched.get(url)?.detach()
      watched.set(url, { socket, detach: attach(url, socket) })
      // Frames before it was seen are missed: an open socket counts as connected, a closed one as unreachable.
      if (socket.readyState === OPEN) apply(url, { kind: 'open' })
      else if (socket.readyState > OPEN) apply(url, { kind: 'close' })
    }
    const relays = urls.flatMap((url) => statuses.get(url) ?? [])
    const text = JSON.stringify(relays)
    if (text === told) return
    told = text
    options.onChange(relays)
  }
  tick()
  const stop = (options.every ?? intervalTimer)(options.pollMs ?? DEFAULT_POLL_MS, tick)
  return {
    look: tick,
    stop: () => {
      stop()
      for (const { detach } of watched.values()) detach()
      watched.clear()
    },
  }
}
