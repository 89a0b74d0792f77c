import type { PeerId } from '@automerge/automerge-repo/slim'
import type { Identify, PeerLink, PeerRemote } from '../mesh-network-adapter'

/** A link end whose sends the test can hold, fail or inspect. */
export interface TestLink extends PeerLink {
  /** Every frame sent from this end. */
  readonly sent: Uint8Array[]
  /** Delivers raw bytes to this end's subscribers, as if the remote had sent them. */
  inject(bytes: Uint8Array): void
  /** Replaces how sends complete (default: delivered to the other end on a microtask). */
  sendWith(send: (bytes: Uint8Array, deliver: () => void) => Promise<void>): void
}

export const remoteOf = (repo: string, storage: string | null = `storage-${repo}`): PeerRemote => ({
  repo,
  storage,
  device: `device-${repo}`,
  identity: null,
})

/** Two ends of one in-memory connection: what one sends, the other receives, in order, asynchronously. */
export const pairedLinks = (left: PeerRemote, right: PeerRemote): [TestLink, TestLink] => {
  const end = (remote: PeerRemote): TestLink & { deliverTo?: TestLink } => {
    const listeners = new Set<(bytes: Uint8Array) => void>()
    const sent: Uint8Array[] = []
    let sendWith = (_bytes: Uint8Array, deliver: () => void): Promise<void> => Promise.resolve().then(deliver)
    const link: TestLink & { deliverTo?: TestLink } = {
      remote,
      sent,
      send: (bytes) => {
        sent.push(bytes)
        return sendWith(bytes, () => link.deliverTo?.inject(bytes))
      },
      subscribe: (onBytes) => {
        listeners.add(onBytes)
        return () => listeners.delete(onBytes)
      },
      inject: (bytes) => {
        for (const listener of [...listeners]) listener(bytes)
      },
      sendWith: (send) => {
        sendWith = send
      },
    }
    return link
  }
  // The left end's remote is the right party, and the reverse.
  const a = end(right)
  const b = end(left)
  a.deliverTo = b
  b.deliverTo = a
  return [a, b]
}

/** For automerge-repo's suite, whose Repos pick their own ids: believes the hello. Never in production. */
export const trustClaims: Identify = (_remote, claims) =>
  Promise.resolve({ peerId: claims.peerId as PeerId, peerMetadata: claims.peerMetadata ?? {} })
