import { onEveryChannel } from './every-channel'
import { isTrusted } from './pending-cap'
import { roomChunkOf } from './room-chunk'

/**
 * Closes a connection once no room of ours has a reason to keep it (SECURITY.md P89). Trystero keeps a connection
 * while any room binds it, and binds a refused peer to the room again at its next announce or presence frame
 * (`@trystero-p2p/core` strategy.mjs `attachSharedPeerToRoom`): the new handshake starts with Trystero's password
 * step, which a silent peer holds open until the 15 s handshake timeout, and only then does the idle close
 * (`UNUSED_CONNECTION_MS`) begin. A peer refused at once thus kept its connection, and could send into it, for
 * 20.1-22.1 s (`e2e/hostile-peer.spec.ts`, fresh-clone CI run, 2026-11-28).
 *
 * Trystero hides a pending peer's connection, so the connection learns from what it sends. The swarm sends each
 * handshake's frames inside `sendingAs(tag, …)`; the first of them to reach a channel ties the tag to this connection
 * and its room token, and the swarm says how the handshake ended (`handshakeEnded`). Frames sent outside a tag are
 * Trystero's password step, and its ready frame says our side of the room's handshake passed (in a room with no
 * handshake of ours, the password step alone). Until a room of ours trusts the connection (`pending-cap.ts`), a
 * room keeps it while our handshake there is under way or passed, or for `PASSWORD_STEP_MS` while only the password
 * step was sent. A room whose handshake we or the peer refused keeps it for nothing, for good on this connection (a
 * new handshake there saves it only if a room lets the peer in, trusting the connection, before the close). Once no
 * room keeps it, and `REFUSED_CLOSE_MS` after the last refusal (for our reject to arrive), it closes; and in any case
 * `UNTRUSTED_MS` after our first handshake frame on it. A handshake cut by a room being left (`leaving`, either side)
 * or by the connection going counts for nothing either way.
 */
export const REFUSED_CLOSE_MS = 1_000
/**
 * However its rooms' handshakes go, a connection no room trusted this long after our first handshake frame on it is
 * closed: a peer that keeps ending its handshakes as cut short (a reject `leaving`, Trystero's leave message) and
 * binds the room again would otherwise keep it for good (review, helper 126). Twice Trystero's 15 s handshake
 * timeout: an honest handshake, its membership wait included, passes well within it.
 */
export const UNTRUSTED_MS = 30_000
/** Trystero's password step is one round trip; a room stuck in it this long keeps nobody's connection. */
export const PASSWORD_STEP_MS = 5_000

const HANDSHAKE_TYPES: ReadonlySet<string> = new Set(['@_hsdata', '@_hsready'])

/** How a handshake ended, as the swarm tells it. */
export type HandshakeEnd = 'passed' | 'refused' | 'void'

interface Watched {
  ended(token: string, end: HandshakeEnd): void
}

/** One handshake of ours, tied to a connection and room by its first frame that reached a channel. */
export interface HandshakeTag {
  bound?: { readonly connection: Watched; readonly token: string }
}

let sending: HandshakeTag | undefined

/** A new handshake's tag. */
export const handshakeTag = (): HandshakeTag => ({})

/**
 * Runs `send` (Trystero's handshake send, which reaches the data channel synchronously unless the channel is
 * backed up) with its frames counted as `tag`'s handshake.
 */
export const sendingAs = <T>(tag: HandshakeTag, send: () => T): T => {
  const before = sending
  sending = tag
  try {
    return send()
  } finally {
    sending = before
  }
}

/** The handshake of `tag` ended; nothing if none of its frames reached a watched connection. */
export const handshakeEnded = (tag: HandshakeTag, end: HandshakeEnd): void => {
  tag.bound?.connection.ended(tag.bound.token, end)
}

type Room =
  { readonly state: 'password'; readonly since: number } | { readonly state: 'handshake' | 'passed' | 'refused' }

/** `Base` (the browser's RTCPeerConnection) that closes itself once no room of ours keeps it. */
export const closedWhenRefused = (
  Base: typeof RTCPeerConnection,
  timing: { readonly refusedMs?: number; readonly passwordMs?: number; readonly untrustedMs?: number } = {},
) =>
  class ClosedWhenRefused extends Base implements Watched {
    readonly #rooms = new Map<string, Room>()
    #lastRefusal = 0
    /** When our first handshake frame went out on this connection. */
    #firstSent: number | undefined
    #timer: ReturnType<typeof setTimeout> | undefined

    constructor(configuration?: RTCConfiguration) {
      super(configuration)
      onEveryChannel(this, (channel) => {
        this.#watch(channel)
      })
    }

    ended(token: string, end: HandshakeEnd): void {
      const room = this.#rooms.get(token)
      if (room?.state === 'refused') return
      if (end === 'refused') {
        this.#rooms.set(token, { state: 'refused' })
        this.#lastRefusal = this.#now()
      } else if (end === 'passed') this.#rooms.set(token, { state: 'passed' })
      else this.#rooms.delete(token)
      this.#check()
    }

    #watch(channel: RTCDataChannel): void {
      const send = channel.send.bind(channel) as (data: unknown) => void
      channel.send = (data: unknown) => {
        this.#sent(data)
        send(data)
      }
    }

    #now(): number {
      return Date.now()
    }

    #sent(data: unknown): void {
      if (isTrusted(this)) return
      const chunk = roomChunkOf(data)
      if (chunk === undefined || !HANDSHAKE_TYPES.has(chunk.type)) return
      this.#firstSent ??= this.#now()
      const room = this.#rooms.get(chunk.token)
      const tag = sending
      if (tag !== undefined && tag.bound === undefined) {
        tag.bound = { connection: this, token: chunk.token }
        // A new handshake in a room that refused the peer on this connection keeps it only by passing.
        if (room?.state !== 'refused') this.#rooms.set(chunk.token, { state: 'handshake' })
      } else if (chunk.type === '@_hsready') {
        // Trystero tells the peer our side of the room's handshake passed (the password step alone, in a room with
        // no handshake of ours): the room keeps the connection.
        if (room?.state !== 'refused') this.#rooms.set(chunk.token, { state: 'passed' })
      } else if (tag === undefined && room === undefined) {
        this.#rooms.set(chunk.token, { state: 'password', since: this.#now() })
      }
      this.#check()
    }

    /** When no room keeps the connection any more, or its time untrusted is up. */
    #due(): number | undefined {
      if (this.#firstSent === undefined) return undefined
      const cap = this.#firstSent + (timing.untrustedMs ?? UNTRUSTED_MS)
      let due = 0
      let refused = false
      for (const room of this.#rooms.values()) {
        if (room.state === 'handshake' || room.state === 'passed') return cap
        if (room.state === 'password') due = Math.max(due, room.since + (timing.passwordMs ?? PASSWORD_STEP_MS))
        else refused = true
      }
      // Every handshake cut short (or none left): nothing keeps it but the cap.
      if (this.#rooms.size === 0) return cap
      return Math.min(cap, refused ? Math.max(due, this.#lastRefusal + (timing.refusedMs ?? REFUSED_CLOSE_MS)) : due)
    }

    #check(): void {
      clearTimeout(this.#timer)
      this.#timer = undefined
      if (isTrusted(this) || this.connectionState === 'closed') return
      const due = this.#due()
      if (due === undefined) return
      const wait = due - this.#now()
      if (wait <= 0) this.close()
      else this.#timer = setTimeout(() => this.#check(), wait)
    }
  }
