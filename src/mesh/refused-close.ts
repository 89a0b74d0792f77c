import { isTrusted } from './pending-cap'
import { roomChunkOf } from './room-chunk'

/**
 * Closes a connection once every room of ours that met its peer refused it (SECURITY.md P89). Trystero keeps a
 * connection while any room binds it, and binds a refused peer to the room again at its next announce or presence
 * frame (`@trystero-p2p/core` strategy.mjs `attachSharedPeerToRoom`): the new handshake starts with Trystero's
 * password step, which a silent peer holds open until the 15 s handshake timeout, and only then does the idle close
 * (`UNUSED_CONNECTION_MS`) begin. A peer refused at once thus kept its connection, and could send into it, for
 * 20.1-22.1 s (`e2e/hostile-peer.spec.ts`, fresh-clone CI run, 2026-11-28).
 *
 * What we send tells which rooms handshake over the connection (the room token of each handshake frame) and how
 * each ended (a reject of ours). Once each of them ended in our reject and the connection was never trusted (no room
 * of ours let its peer in, `pending-cap.ts`), it closes `REFUSED_CLOSE_MS` later, time for the reject to reach the
 * peer so it fails at once. A handshake of ours begun again in a room (our Hello after the reject) opens that room
 * again; Trystero's password frames, which a rebinding sends before our handshake runs, do not. A reject `leaving`
 * does not count: a room joined again under the same token meets the same peers.
 */
export const REFUSED_CLOSE_MS = 1_000

const HANDSHAKE_TYPES: ReadonlySet<string> = new Set(['@_hsdata', '@_hsready'])
/** Our largest reject with its evidence fits one of Trystero's 16 KiB chunks; a longer message is not one. */
const MAX_READ_BYTES = 16 * 1024
const LAST_CHUNK = 1
const METADATA = 2
const text = new TextDecoder()

type Sent = 'refused' | 'password' | 'handshake'

/** What one of our handshake frames says about its room's handshake. */
const sentFrame = (type: string, tag: number, payload: Uint8Array): Sent => {
  if (type !== '@_hsdata' || (tag & LAST_CHUNK) === 0 || (tag & METADATA) !== 0) return 'handshake'
  if (payload.byteLength > MAX_READ_BYTES) return 'handshake'
  try {
    const value = JSON.parse(text.decode(payload)) as unknown
    if (typeof value !== 'object' || value === null) return 'handshake'
    if ('__trystero_pw' in value) return 'password'
    if ('reject' in value && typeof value.reject === 'string' && value.reject !== 'leaving') return 'refused'
    return 'handshake'
  } catch {
    // A chunk of a longer message: a handshake under way.
    return 'handshake'
  }
}

/** `Base` (the browser's RTCPeerConnection) that closes itself once every room that met its peer refused it. */
export const closedWhenRefused = (Base: typeof RTCPeerConnection, closeAfterMs = REFUSED_CLOSE_MS) =>
  class ClosedWhenRefused extends Base {
    /** Each room token we sent handshake frames on: refused by us, or a handshake under way or passed. */
    readonly #rooms = new Map<string, 'refused' | 'open'>()
    #timer: ReturnType<typeof setTimeout> | undefined

    constructor(configuration?: RTCConfiguration) {
      super(configuration)
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
      const send = channel.send.bind(channel) as (data: unknown) => void
      channel.send = (data: unknown) => {
        this.#sent(data)
        send(data)
      }
    }

    #sent(data: unknown): void {
      if (isTrusted(this)) return
      const chunk = roomChunkOf(data)
      if (chunk === undefined || !HANDSHAKE_TYPES.has(chunk.type)) return
      const sent = sentFrame(chunk.type, chunk.tag, chunk.payload)
      if (sent === 'refused') this.#rooms.set(chunk.token, 'refused')
      else if (sent === 'handshake' || !this.#rooms.has(chunk.token)) this.#rooms.set(chunk.token, 'open')
      if (this.#allRefused() && this.#timer === undefined) this.#timer = setTimeout(this.#closeIfRefused, closeAfterMs)
    }

    readonly #closeIfRefused = (): void => {
      this.#timer = undefined
      if (this.#allRefused() && !isTrusted(this) && this.connectionState !== 'closed') this.close()
    }

    #allRefused(): boolean {
      return this.#rooms.size > 0 && [...this.#rooms.values()].every((room) => room === 'refused')
    }
  }
