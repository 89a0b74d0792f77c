/**
 * Whether a remote peer holds what we hold, by heads: automerge-repo reports, per document, the heads a peer last
 * told us (`DocHandle.getSyncInfo(storageId)`, the `remote-heads` event; keyed by the peer's storage id, so only a
 * peer that has one is reported). A document of a space is pending for a peer while the heads it reported differ
 * from ours, or while it has reported none for a document we hold; a document we do not hold (yet) is pending
 * only while the peer reported heads for it. Event driven: each handle's `heads-changed` and `remote-heads` mark
 * it, and marked documents are compared in one batch `delayMs` later (a burst of 10,000 messages is one pass over
 * the documents it touched, never a poll over all of them). A full pass runs only when a peer starts being
 * watched or its storage id becomes known. Only documents the peer may see count (`sees`): a peer met only where it
 * is given a space's root waits for nothing else, and would read "Syncing…" for good.
 */
import type { DocHandle, DocumentId, PeerId, Repo, StorageId, UrlHeads } from '@automerge/automerge-repo/slim'
import type { SpaceId } from './ids'

export interface PeerSyncWatch {
  /** Documents of `space` held here or reported by the peer whose heads differ from ours. */
  pending(space: SpaceId): number
  /** The pending documents with our heads and the peer's: the same string while their sync has not moved. */
  state(): string
  stop(): void
}

interface Watch {
  readonly peer: PeerId
  storageId: StorageId | undefined
  readonly pending: Set<DocumentId>
  readonly sees: (documentId: DocumentId) => boolean
  /** The pending documents of each space, until the set changes or the turn ends (see `#counts`). */
  counts: Map<SpaceId | undefined, number> | undefined
  /** The last counts made, as text: what `accessChanged` compares with. */
  counted: string
  readonly changed: () => void
}

const sameHeads = (a: UrlHeads, b: UrlHeads): boolean => a.length === b.length && a.every((head) => b.includes(head))

export class PeerSync {
  readonly #repo: Repo
  readonly #spaceOf: (documentId: DocumentId) => SpaceId | undefined
  readonly #delayMs: number
  readonly #watches = new Set<Watch>()
  readonly #followed = new Set<DocumentId>()
  readonly #marked = new Set<DocumentId>()
  #timer: ReturnType<typeof setTimeout> | undefined
  readonly #stop: () => void

  constructor(repo: Repo, spaceOf: (documentId: DocumentId) => SpaceId | undefined, delayMs: number) {
    this.#repo = repo
    this.#spaceOf = spaceOf
    this.#delayMs = delayMs
    // The repo has no event for a new handle: the synchronizer's `open-doc` names every document synced with a
    // peer (one a peer sent included), before its first remote heads; `follow` covers those made here.
    const opened = ({ documentId }: { documentId: DocumentId }) => {
      this.follow(documentId)
    }
    repo.synchronizer.on('open-doc', opened)
    // A peer announced: its storage id is known now (the repo's own listener ran first). Heads reported in an earlier
    // meeting may all still be right, and then no document fires an event: the batch makes the full pass.
    const announced = () => {
      this.#schedule()
    }
    repo.networkSubsystem.on('peer', announced)
    this.#stop = () => {
      repo.synchronizer.off('open-doc', opened)
      repo.networkSubsystem.off('peer', announced)
    }
  }

  /** Follows a document's handle from now on (idempotent); ECHO calls it for every handle it makes or finds. */
  follow(documentId: DocumentId): void {
    if (this.#followed.has(documentId)) return
    const handle = this.#repo.handles[documentId]
    if (handle === undefined) return
    this.#followed.add(documentId)
    handle.on('heads-changed', () => {
      this.#mark(documentId)
    })
    handle.on('remote-heads', () => {
      this.#mark(documentId)
    })
    this.#mark(documentId)
  }

  /**
   * Watches `peer` (its automerge-repo peer id) for the documents it `sees`; `changed` is called after a batch
   * changed its pending set, and after `accessChanged`.
   */
  watch(peer: string, changed: () => void, sees: (documentId: DocumentId) => boolean = () => true): PeerSyncWatch {
    const watch: Watch = {
      peer: peer as PeerId,
      storageId: undefined,
      pending: new Set(),
      sees,
      counts: undefined,
      counted: '',
      changed,
    }
    this.#watches.add(watch)
    for (const documentId of Object.keys(this.#repo.handles) as DocumentId[]) this.follow(documentId)
    this.#sweep(watch, false)
    return {
      pending: (space) => this.#counts(watch).get(space) ?? 0,
      state: () =>
        [...watch.pending]
          .filter(watch.sees)
          .sort()
          .map((documentId) => {
            const handle = this.#repo.handles[documentId]
            const theirs = watch.storageId === undefined ? undefined : handle?.getSyncInfo(watch.storageId)?.lastHeads
            return `${documentId}:${handle?.isReady() === true ? handle.heads().join(',') : ''}:${theirs?.join(',') ?? ''}`
          })
          .join(';'),
      stop: () => {
        this.#watches.delete(watch)
      },
    }
  }

  /**
   * What peers may see may have changed: a watch whose counts changed with it is told. Only then: a call tells the
   * mesh the peer's sync moved, which puts off its stall restart, and access changes with every membership change.
   */
  accessChanged(): void {
    for (const watch of [...this.#watches]) {
      const before = watch.counted
      watch.counts = undefined
      this.#counts(watch)
      if (watch.counted !== before) watch.changed()
    }
  }

  close(): void {
    this.#stop()
    clearTimeout(this.#timer)
    this.#watches.clear()
  }

  #mark(documentId: DocumentId): void {
    if (this.#watches.size === 0) return
    this.#marked.add(documentId)
    this.#schedule()
  }

  #schedule(): void {
    if (this.#watches.size === 0) return
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined
      this.#compareMarked()
    }, this.#delayMs)
  }

  #compareMarked(): void {
    const marked = [...this.#marked]
    this.#marked.clear()
    for (const watch of this.#watches) {
      if (this.#learnStorage(watch)) continue
      let changed = false
      for (const documentId of marked) changed = this.#compare(watch, documentId) || changed
      if (changed) watch.changed()
    }
  }

  /** A full pass once the peer's storage id is known (the repo learns it when the peer is announced). */
  #learnStorage(watch: Watch): boolean {
    if (watch.storageId !== undefined) return false
    const storageId = this.#repo.getStorageIdOfPeer(watch.peer)
    if (storageId === undefined) return false
    this.#sweep(watch, true)
    return true
  }

  /**
   * Every space's pending count in one pass, kept until the set changes or the turn ends (a document's space can
   * change between turns): a batch's listeners ask for each space and each connection of the peer, and counting
   * each time walked the whole set (thousands of documents while a big space arrives) a dozen times a batch.
   */
  #counts(watch: Watch): Map<SpaceId | undefined, number> {
    if (watch.counts !== undefined) return watch.counts
    const counts = new Map<SpaceId | undefined, number>()
    for (const documentId of watch.pending) {
      if (!watch.sees(documentId)) continue
      const space = this.#spaceOf(documentId)
      counts.set(space, (counts.get(space) ?? 0) + 1)
    }
    watch.counts = counts
    watch.counted = JSON.stringify([...counts].sort())
    queueMicrotask(() => {
      if (watch.counts === counts) watch.counts = undefined
    })
    return counts
  }

  #sweep(watch: Watch, notify: boolean): void {
    watch.storageId = this.#repo.getStorageIdOfPeer(watch.peer)
    watch.pending.clear()
    watch.counts = undefined
    for (const documentId of this.#followed) this.#compare(watch, documentId)
    if (notify) watch.changed()
  }

  /** Whether the document's pending state for the peer changed. */
  #compare(watch: Watch, documentId: DocumentId): boolean {
    const handle = this.#repo.handles[documentId]
    // Kept whatever its space: a document listed later counts from then on (`pending` asks its space each time).
    const pending = handle !== undefined && this.#differs(watch, handle)
    if (pending === watch.pending.has(documentId)) return false
    watch.counts = undefined
    if (pending) watch.pending.add(documentId)
    else watch.pending.delete(documentId)
    return true
  }

  #differs(watch: Watch, handle: DocHandle<unknown>): boolean {
    // Until the peer is announced with a storage id, nothing it holds can be compared: all we hold is pending.
    const theirs = watch.storageId === undefined ? undefined : handle.getSyncInfo(watch.storageId)?.lastHeads
    if (!handle.isReady()) return theirs !== undefined && theirs.length > 0
    return theirs === undefined || !sameHeads(theirs, handle.heads())
  }
}
