/**
 * Replaced object documents still open in this tab. When an epoch (made here, in
 * another tab or by a peer) replaces documents this tab has loaded, writes can
 * still reach them: this tab's own writes made before it saw the epoch, another
 * tab's, a peer's. Each is carried into the replacement as soon as it lands, so
 * the space shows it now rather than after the next start.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { DocumentStore } from '../document-store'
import { carryForward } from './carry-forward'
import type { DocumentId, ObjectsDoc, SpaceDoc } from './documents'

export class RetiredDocuments {
  readonly #root: DocHandle<SpaceDoc>
  readonly #documents: DocumentStore
  readonly #ensure: (id: DocumentId) => Promise<DocHandle<ObjectsDoc> | undefined>
  readonly #followed = new Set<DocumentId>()

  constructor(
    root: DocHandle<SpaceDoc>,
    documents: DocumentStore,
    ensure: (id: DocumentId) => Promise<DocHandle<ObjectsDoc> | undefined>,
  ) {
    this.#root = root
    this.#documents = documents
    this.#ensure = ensure
  }

  /** Starts following every replaced document loaded here (called when the root's epochs change). */
  async follow(): Promise<void> {
    const doc = this.#root.doc()
    for (const manifest of Object.values(doc.epochs)) {
      for (const [old, { into, heads }] of Object.entries(manifest.replaced ?? {})) {
        const id = old as DocumentId
        if (this.#followed.has(id) || doc.documents[id] !== undefined || !this.#documents.isLoaded(id)) continue
        this.#followed.add(id)
        const target = await this.#ensure(into as DocumentId)
        if (target === undefined) continue
        const source = await this.#documents.find<ObjectsDoc>(id)
        const carry = () => void carryForward(source, heads, target)
        carry()
        source.on('change', carry)
      }
    }
  }
}
