import type { Room } from 'trystero'
import { BIND_CHANNEL } from './action-types'
import {
  canBind,
  checkBinding,
  connectionFingerprints,
  signBinding,
  type ConnectionFingerprints,
} from './handshake/connection-binding'
import type { AuthenticatedPeer } from './handshake/run-handshake'

/** Both sides send their binding as Trystero activates the peer: one trip over an open channel. */
const BIND_TIMEOUT_MS = 5_000

const oneShotTimer = (ms: number, run: () => void): (() => void) => {
  const timer = setTimeout(run, ms)
  return () => {
    clearTimeout(timer)
  }
}

interface BindingHooks {
  /** The peer's handshake, while it passed and Trystero has not activated it yet. */
  passed(peerId: string): AuthenticatedPeer | undefined
  admit(peerId: string, peer: AuthenticatedPeer): void
  /** The binding failed or did not come: the caller reports `wrong-connection` and closes the connection. */
  refuse(peerId: string): void
}

interface Waiting {
  readonly peer: AuthenticatedPeer
  readonly ours: ConnectionFingerprints
  readonly cancel: () => void
}

/**
 * The binding step of one room (`handshake/connection-binding.ts`): when Trystero activates a peer whose handshake
 * passed, each side sends its signed binding on `cp.bind`, and the peer is admitted once the remote's checks out.
 * The receiving path is synchronous, so a peer is admitted before the next frame it sent after its binding is read.
 * A connection that cannot be bound (its fingerprints unreadable: no remote description, more than 4 distinct
 * `a=fingerprint` lines, a line the strict pattern does not read; or a handshake not made by `runHandshake`) is
 * refused at once: a party in between writes the SDP we read, so an unreadable one is no reason to trust it.
 * `admitUnbound` (tests whose fakes cannot bind, `SwarmOptions.admitUnboundTestPeers`) admits such a peer instead.
 */
export const bindConnections = (
  room: Room,
  hooks: BindingHooks,
  options: { readonly admitUnbound: boolean },
  after: (ms: number, run: () => void) => () => void = oneShotTimer,
) => {
  // A binding that came before Trystero told us the peer joined (kept only for a peer whose handshake passed).
  const early = new Map<string, unknown>()
  const waiting = new Map<string, Waiting>()
  const finish = (peerId: string, peer: AuthenticatedPeer, ours: ConnectionFingerprints, frame: unknown): void => {
    if (checkBinding(peer, ours, frame)) hooks.admit(peerId, peer)
    else hooks.refuse(peerId)
  }
  const action = room.makeAction<string>(BIND_CHANNEL, {
    onMessage: (data, { peerId }) => {
      const wait = waiting.get(peerId)
      if (wait !== undefined) {
        waiting.delete(peerId)
        wait.cancel()
        finish(peerId, wait.peer, wait.ours, data)
        return
      }
      if (hooks.passed(peerId) !== undefined && !early.has(peerId)) early.set(peerId, data)
    },
  })
  return {
    joined: (peerId: string, peer: AuthenticatedPeer): void => {
      // Trystero may replace a connection under the same id without a leave: the old wait ends here.
      waiting.get(peerId)?.cancel()
      waiting.delete(peerId)
      const ours = connectionFingerprints(room.getPeers()[peerId])
      if (ours === undefined || !canBind(peer)) {
        early.delete(peerId)
        if (options.admitUnbound) hooks.admit(peerId, peer)
        else hooks.refuse(peerId)
        return
      }
      // A send to a peer that just left rejects; the binding then simply never arrives.
      void signBinding(peer, ours)
        .then((frame) => action.send(frame, { target: peerId }))
        .catch(() => undefined)
      if (early.has(peerId)) {
        const frame = early.get(peerId)
        early.delete(peerId)
        finish(peerId, peer, ours, frame)
        return
      }
      const entry: Waiting = {
        peer,
        ours,
        cancel: after(BIND_TIMEOUT_MS, () => {
          if (waiting.get(peerId) !== entry) return
          waiting.delete(peerId)
          hooks.refuse(peerId)
        }),
      }
      waiting.set(peerId, entry)
    },
    left: (peerId: string): void => {
      early.delete(peerId)
      waiting.get(peerId)?.cancel()
      waiting.delete(peerId)
    },
  }
}
