import { onEveryChannel } from './every-channel'

/**
 * Closes a connection that Trystero is about to drop without closing it. Its peer (`@trystero-p2p/core` peer.mjs)
 * gives up a connection that fails, or whose state stays `disconnected` for 5 s (`disconnectedCloseDelayMs`), and
 * the shared peer then forgets it without closing it (shared-peer.mjs `register`: `close` clears it with
 * `destroyPeer: false`). The RTCPeerConnection lives on: when ICE comes back (a starved consent check on a loaded
 * machine), the other side keeps the connection and every room on it as joined, ignores our new offers for that peer
 * (signal-handler.mjs, a live connected peer), and the two never meet again. Read in Trystero's source, not seen in a
 * test (the CI drop of 2026-11-29 had this shape but came another way: `silent-peers.ts`). Closed by us, the
 * connection ends on both sides: each room drops the peer, and the two meet again over a new one.
 */

/** How long a connection may stay `disconnected` before it is closed: just under Trystero's 5 s. */
export const DISCONNECTED_CLOSE_MS = 4_500

type State = 'gone' | 'live' | 'disconnected' | 'other'

/** The connection's state as Trystero's peer reads it (peer.mjs `handleConnectionStateChange`), in its order. */
const stateOf = (connection: RTCPeerConnection): State => {
  const { connectionState: state, iceConnectionState: ice } = connection
  if (state === 'failed' || state === 'closed' || ice === 'failed' || ice === 'closed') return 'gone'
  if (
    state === 'connected' ||
    state === 'connecting' ||
    ice === 'connected' ||
    ice === 'completed' ||
    ice === 'checking'
  )
    return 'live'
  if (state === 'disconnected' || ice === 'disconnected') return 'disconnected'
  return 'other'
}

/** `Base` (the browser's RTCPeerConnection) that closes itself before Trystero can drop it half-open. */
export const closedWhenDropped = (
  Base: typeof RTCPeerConnection,
  after: (ms: number, run: () => void) => () => void = (ms, run) => {
    const timer = setTimeout(run, ms)
    return () => {
      clearTimeout(timer)
    }
  },
) =>
  class ClosedWhenDropped extends Base {
    #cancel: (() => void) | undefined

    constructor(configuration?: RTCConfiguration) {
      super(configuration)
      const check = (): void => {
        this.#check()
      }
      this.addEventListener('connectionstatechange', check)
      this.addEventListener('iceconnectionstatechange', check)
      onEveryChannel(this, (channel) => {
        this.#watch(channel)
      })
    }

    #watch(channel: RTCDataChannel): void {
      // Trystero forgets the connection when its channel closes or errs, and keeps it open: it is closed here.
      const close = (): void => {
        if (this.connectionState !== 'closed') this.close()
      }
      channel.addEventListener('close', close)
      channel.addEventListener('error', close)
    }

    #check(): void {
      const state = stateOf(this)
      // Trystero gives up a failed connection at once and leaves it open too; Chromium's ICE may come back from it.
      if (state === 'gone') {
        if (this.connectionState !== 'closed') this.close()
        return
      }
      if (state !== 'disconnected') {
        this.#cancel?.()
        this.#cancel = undefined
        return
      }
      this.#cancel ??= after(DISCONNECTED_CLOSE_MS, () => {
        this.#cancel = undefined
        if (stateOf(this) === 'disconnected') this.close()
      })
    }
  }
