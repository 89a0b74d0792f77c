/**
 * Keeps automerge-repo's sync state per (document, remote storage id) on disk, so a device met again in a later
 * session syncs from the heads the two last shared instead of from nothing (before, the first divergence after a
 * reopen resent whole documents: sharing-protocol P10). The repo loads these states itself (CollectionSynchronizer's
 * `onLoadSyncState`, key `[documentId, 'sync-state', storageId]`), but its own saving cannot be used here: it runs at
 * the repo's `saveDebounceRate`, which ECHO sets to never (documents are saved by the DocumentStore), and its
 * throttle is one per storage id that keeps only the latest call, so a burst over many documents saves one of them.
 * Here the latest state of every document is kept until the next write, and one write stores them all (the Dexie
 * adapter puts saves made in one tick into one transaction). Only remote devices count: the other tabs share our
 * storage (their storage id is ours) and ephemeral peers keep nothing.
 */
import type { DocumentId, PeerId, Repo, StorageId } from '@automerge/automerge-repo/slim'

type SyncState = Parameters<NonNullable<Repo['storageSubsystem']>['saveSyncState']>[2]

interface Pending {
  readonly documentId: DocumentId
  readonly storageId: StorageId
  readonly syncState: SyncState
}

export class SyncStates {
  readonly #repo: Repo
  readonly #delayMs: number
  readonly #pending = new Map<string, Pending>()
  #own: StorageId | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #writing: Promise<void> = Promise.resolve()
  readonly #stop: () => void

  constructor(repo: Repo, delayMs: number) {
    this.#repo = repo
    this.#delayMs = delayMs
    // A browser that refuses storage rejects this too; it then keeps no sync state anyway.
    repo.storageId().then(
      (id) => (this.#own = id),
      () => undefined,
    )
    const changed = ({
      peerId,
      documentId,
      syncState,
    }: {
      peerId: PeerId
      documentId: DocumentId
      syncState: SyncState
    }) => {
      this.#keep(peerId, documentId, syncState)
    }
    repo.synchronizer.on('sync-state', changed)
    this.#stop = () => repo.synchronizer.off('sync-state', changed)
  }

  #keep(peerId: PeerId, documentId: DocumentId, syncState: SyncState): void {
    const metadata = this.#repo.peerMetadataByPeerId[peerId]
    const storageId = metadata?.storageId
    if (storageId === undefined || metadata?.isEphemeral === true || storageId === this.#own) return
    this.#pending.set(`${documentId}\u0000${storageId}`, { documentId, storageId, syncState })
    this.#timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.#delayMs)
  }

  /** Writes every state kept since the last write, after any write under way. A failed write is not retried. */
  flush(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = [...this.#pending.values()]
    this.#pending.clear()
    const storage = this.#repo.storageSubsystem
    const next = this.#writing.then(async () => {
      if (storage === undefined || batch.length === 0) return
      await Promise.all(batch.map((each) => storage.saveSyncState(each.documentId, each.storageId, each.syncState)))
    })
    this.#writing = next.catch(() => undefined)
    return next
  }

  /** No more timed writes; `flush()` still writes what is kept. */
  close(): void {
    this.#stop()
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
