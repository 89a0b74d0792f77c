// A storage read that automerge-repo applies late (by replacing the document) must not take back a write made here.
import './testing/node-runtime'
import { save } from '@automerge/automerge/slim'
import type { Chunk, DocumentId, PeerId, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim'
import { Repo } from '@automerge/automerge-repo/slim'
import { describe, expect, it } from 'vitest'
import { DocumentStore, REPO_SAVE_DELAY_NEVER } from './document-store'
import { pairedAdapters, whenPeer } from './testing/paired-network'

interface Counter {
  count: number
}

/**
 * Storage holding nothing until `put`; while `holding`, a read of the document waits for `release` (the
 * IndexedDB read another tab's save overtakes), and then sees what was put by then.
 */
class HeldStorage implements StorageAdapterInterface {
  holding = false
  readonly #chunks = new Map<string, Chunk>()
  readonly #held: (() => void)[] = []

  put(key: StorageKey, data: Uint8Array): void {
    this.#chunks.set(key.join('/'), { key, data })
  }

  release(): void {
    for (const resume of this.#held.splice(0)) resume()
  }

  get heldReads(): number {
    return this.#held.length
  }

  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    if (this.holding) await new Promise<void>((resume) => this.#held.push(resume))
    const start = prefix.join('/')
    return [...this.#chunks.values()].filter((chunk) => chunk.key.join('/').startsWith(start))
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.#chunks.get(key.join('/'))?.data)
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    this.put(key, data)
    return Promise.resolve()
  }

  async remove(key: StorageKey): Promise<void> {
    this.#chunks.delete(key.join('/'))
    return Promise.resolve()
  }

  async removeRange(prefix: StorageKey): Promise<void> {
    const start = prefix.join('/')
    for (const [key, chunk] of this.#chunks) if (chunk.key.join('/').startsWith(start)) this.#chunks.delete(key)
    return Promise.resolve()
  }
}

describe('DocumentStore and a late storage read', () => {
  it('keeps a write made after a peer sent the document, when a storage read started before ends after it', async () => {
    const [theirs, ours] = pairedAdapters()
    const peer = new Repo({ network: [theirs], peerId: 'peer' as PeerId, saveDebounceRate: REPO_SAVE_DELAY_NEVER })
    const storage = new HeldStorage()
    const repo = new Repo({
      network: [ours],
      storage,
      peerId: 'here' as PeerId,
      saveDebounceRate: REPO_SAVE_DELAY_NEVER,
    })
    const store = new DocumentStore(repo, { delayMs: 60_000, retryMs: 60_000 })
    await whenPeer(repo, 'peer')
    const original = peer.create<Counter>({ count: 1 })
    const id: DocumentId = original.documentId

    // Not stored here: asked of the peer (the handle is 'requesting' once storage said nothing).
    const first = store.find<Counter>(id)
    const requesting = repo.handles[id]
    if (requesting === undefined) throw new Error('no handle')
    await requesting.whenReady(['requesting', 'ready'])
    // A second find while requesting (automerge-repo's synchronizer makes one for each message it gets) reads
    // storage again; that read is held.
    storage.holding = true
    const second = store.find<Counter>(id)
    storage.holding = false
    expect(storage.heldReads).toBe(1)

    const handle = await first
    expect(handle.doc().count).toBe(1)
    handle.change((doc) => {
      doc.count = 2
    })
    // Meanwhile the document was saved (by another tab, on the same IndexedDB) as the peer sent it.
    storage.put([id, 'snapshot', 'from-another-tab'], save(original.doc()))
    storage.release()
    expect(await second).toBe(handle)

    expect(handle.doc().count).toBe(2)
    await repo.shutdown()
    await peer.shutdown()
  })
})
