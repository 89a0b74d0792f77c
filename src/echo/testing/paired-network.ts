// Tests only: two network adapters joined to each other in memory, counting the documents each side sent.
import type { Message, PeerId, Repo } from '@automerge/automerge-repo/slim'
import { NetworkAdapter } from '@automerge/automerge-repo/slim'

export class PairedAdapter extends NetworkAdapter {
  other: PairedAdapter | undefined
  connected = false
  /** The ids of documents this side sent data of (sync messages), in order. */
  readonly sentDocuments: string[] = []

  isReady(): boolean {
    return true
  }

  whenReady(): Promise<void> {
    return Promise.resolve()
  }

  connect(peerId: PeerId): void {
    this.peerId = peerId
    this.connected = true
    const other = this.other
    if (other?.connected !== true || other.peerId === undefined) return
    this.emit('peer-candidate', { peerId: other.peerId, peerMetadata: {} })
    other.emit('peer-candidate', { peerId, peerMetadata: {} })
  }

  send(message: Message): void {
    const other = this.other
    if (other?.connected !== true) return
    if ('documentId' in message && message.type === 'sync') this.sentDocuments.push(message.documentId)
    queueMicrotask(() => {
      if (other.connected) other.emit('message', message)
    })
  }

  disconnect(): void {
    if (!this.connected) return
    this.connected = false
    const other = this.other
    if (other?.peerId !== undefined) this.emit('peer-disconnected', { peerId: other.peerId })
    if (other?.connected === true && this.peerId !== undefined) {
      other.emit('peer-disconnected', { peerId: this.peerId })
    }
  }
}

/** Two adapters, each delivering what it is sent to the other. */
export const pairedAdapters = (): [PairedAdapter, PairedAdapter] => {
  const a = new PairedAdapter()
  const b = new PairedAdapter()
  a.other = b
  b.other = a
  return [a, b]
}

/** Resolves once `repo` syncs with `peer` (its synchronizer added it), so a request reaches that peer. */
export const whenPeer = (repo: Repo, peer: string): Promise<void> =>
  new Promise((resolve) => {
    const check = () => {
      if (!repo.peers.includes(peer as PeerId)) return false
      repo.networkSubsystem.off('peer', onPeer)
      resolve()
      return true
    }
    const onPeer = () => {
      // The synchronizer hears the same event after this listener: look once it has.
      queueMicrotask(check)
    }
    if (!check()) repo.networkSubsystem.on('peer', onPeer)
  })
