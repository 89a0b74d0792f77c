/**
 * Two Repos that answer each other with the same sync message, again and again: a message between them was lost
 * (a link closed with it in flight), and each side's Automerge sync state still counts it as sent, so one side asks
 * for a change (`need`) that the other never sends again. Each answer comes back at once, so the pair loops for
 * good, as fast as the link goes (seen: 300 messages a second between two pages, for minutes, in
 * `two-identities.test.ts`). An honest sync never repeats a message unchanged this often: each one it sends moves
 * its heads, its need or its have. Past `REPEATS` identical messages in a row from one peer for one document, that
 * peer's sync is started over (`MeshNetworkAdapter.restart`), which clears what both sides count as sent.
 */
import { keepNewest } from '../../base'

/** Identical sync messages in a row (one peer, one document) that mean the pair loops. */
export const REPEATS = 8
/** Documents remembered per peer: a loop is one document answering itself, so a few are enough. */
const MAX_DOCUMENTS = 64
/**
 * Peers remembered, the least lately heard from out (review 16, K2): a peer that left is forgotten by the adapter, and
 * this bounds the rest (a page meets far fewer Repos at once; each one's documents cost up to ~10 KB here).
 */
export const MAX_PEERS = 256

/** FNV-1a over the bytes: a loop repeats one message exactly, so equal bytes are what is compared. */
const digestOf = (data: Uint8Array): string => {
  let hash = 0x811c9dc5
  for (const byte of data) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0
  return `${String(data.length)}:${String(hash)}`
}

export class RepeatedSync {
  readonly #byPeer = new Map<string, Map<string, { digest: string; count: number }>>()

  /** True when this message from `peer` for `documentId` is the `REPEATS`th identical one in a row. */
  seen(peer: string, documentId: string, data: Uint8Array): boolean {
    const documents = this.#byPeer.get(peer) ?? new Map<string, { digest: string; count: number }>()
    // Re-inserted on each message, so the first key is the peer heard from least lately.
    keepNewest(this.#byPeer, peer, documents, MAX_PEERS)
    const digest = digestOf(data)
    const last = documents.get(documentId)
    const count = last?.digest === digest ? last.count + 1 : 1
    // The oldest first: each message re-inserts its document.
    keepNewest(documents, documentId, { digest, count }, MAX_DOCUMENTS)
    return count === REPEATS
  }

  /** Forgets a peer (its sync started over, or it left). */
  forget(peer: string): void {
    this.#byPeer.delete(peer)
  }
}
