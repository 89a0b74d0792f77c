/**
 * Who may have which document. Tabs of this browser profile may have everything
 * (the same person on the same device), but only a tab that does not replicate
 * announces to them: the leader (the tab whose Echo replicates over the mesh)
 * holds every document its peers send, and announcing those would make every
 * tab load them. A follower announces what it opens, so its edits reach the
 * leader, and the leader then syncs that document back because it was asked
 * (automerge-repo shares with `announce || (access && requested)`).
 * A peer reached through an adapter given to `Echo.replicate` gets only what its
 * rules allow; a peer no adapter we know brought gets nothing. automerge-repo
 * checks `access` on every inbound message and `announce` before offering a
 * document, so both answer synchronously. What a remote peer may be offered
 * is offered in order, a few at a time (offer-queue.ts).
 */
import type { Message, NetworkAdapterInterface, PeerId, RepoConfig } from '@automerge/automerge-repo/slim'
import { OfferQueue, type OfferQueueOptions } from './offer-queue'
import type { DocumentId } from './space/documents'

/** A peer's rights, decided by the caller (the mesh: authenticated device, membership, revocations). */
export interface ReplicationRules {
  access(peer: PeerId, documentId: DocumentId): boolean
  announce(peer: PeerId, documentId: DocumentId): boolean
}

type ShareConfig = NonNullable<RepoConfig['shareConfig']>

interface Followed {
  readonly peers: Set<PeerId>
  readonly stop: () => void
}

/**
 * Follows the peers each adapter brought, from its own events (heard before the repo hears them); `offers`, for a
 * remote adapter, hears each peer's messages and departures.
 */
const follow = (adapter: NetworkAdapterInterface, offers?: OfferQueue): Followed => {
  const peers = new Set<PeerId>()
  const candidate = ({ peerId }: { peerId: PeerId }) => void peers.add(peerId)
  const gone = ({ peerId }: { peerId: PeerId }) => {
    peers.delete(peerId)
    offers?.gone(peerId)
  }
  const message = ({ senderId, documentId }: Message) => {
    if (documentId !== undefined) offers?.heard(senderId, documentId)
  }
  adapter.on('peer-candidate', candidate)
  adapter.on('peer-disconnected', gone)
  if (offers !== undefined) adapter.on('message', message)
  return {
    peers,
    stop: () => {
      adapter.off('peer-candidate', candidate)
      adapter.off('peer-disconnected', gone)
      adapter.off('message', message)
    },
  }
}

export class Replication {
  readonly #tabs = new Map<NetworkAdapterInterface, Followed>()
  readonly #remote = new Map<NetworkAdapterInterface, Followed & { readonly rules: ReplicationRules }>()
  readonly #offers: OfferQueue

  /** `offers`: how documents are ranked for remote peers (and the queue's bounds, for tests). */
  constructor(offers: OfferQueueOptions) {
    this.#offers = new OfferQueue(offers)
  }

  /** The repo's share config; it reads the adapters and rules in force at each call. */
  readonly shareConfig: ShareConfig = {
    access: (peer, documentId) => Promise.resolve(this.#allows(peer, documentId, 'access')),
    announce: (peer, documentId) => {
      if (documentId === undefined || !this.#allows(peer, documentId, 'announce')) return Promise.resolve(false)
      return this.#isRemote(peer) ? this.#offers.offer(peer, documentId) : Promise.resolve(true)
    },
  }

  /** An adapter to the other tabs: its peers share every document. Call before the repo sees the adapter. */
  addTabs(adapter: NetworkAdapterInterface): void {
    this.#tabs.set(adapter, follow(adapter))
  }

  /** Call before the repo sees the adapter, so its first peer is already known here. */
  addRemote(adapter: NetworkAdapterInterface, rules: ReplicationRules): void {
    this.#remote.get(adapter)?.stop()
    this.#remote.set(adapter, { ...follow(adapter, this.#offers), rules })
  }

  /** False when the adapter was not replicating. */
  removeRemote(adapter: NetworkAdapterInterface): boolean {
    const followed = this.#remote.get(adapter)
    if (followed === undefined) return false
    followed.stop()
    this.#remote.delete(adapter)
    for (const peer of followed.peers) this.#offers.gone(peer)
    return true
  }

  /** True while an adapter of `Echo.replicate` is in use: this tab leads. */
  get replicating(): boolean {
    return this.#remote.size > 0
  }

  #isRemote(peer: PeerId): boolean {
    for (const { peers } of this.#remote.values()) if (peers.has(peer)) return true
    return false
  }

  #allows(peer: PeerId, documentId: DocumentId, question: keyof ReplicationRules): boolean {
    // A remote peer answers to its rules even if a tab adapter claims the same id: the stricter side wins.
    let remote = false
    for (const { peers, rules } of this.#remote.values()) {
      if (!peers.has(peer)) continue
      remote = true
      if (!rules[question](peer, documentId)) return false
    }
    if (remote) return true
    if (question === 'announce' && this.replicating) return false
    for (const { peers } of this.#tabs.values()) if (peers.has(peer)) return true
    return false
  }
}
