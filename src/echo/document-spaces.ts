/**
 * Which space a document belongs to, in memory and synchronous (the mesh's access rule asks it on every inbound
 * message): each known space's root and the documents its root lists, kept current as roots change. A document two
 * spaces claim answers to neither: a peer's root could otherwise list another space's document to be sent it.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { SpaceId } from './ids'
import type { DocumentId, SpaceDoc } from './space/documents'

export class DocumentSpaces {
  readonly #claims = new Map<DocumentId, Set<SpaceId>>()
  readonly #listed = new Map<SpaceId, ReadonlySet<DocumentId>>()

  /** Follows `root`'s list from now on; returns how to stop. */
  follow(space: SpaceId, root: DocHandle<SpaceDoc>): () => void {
    this.#update(space, root)
    const changed = ({ patches }: { patches: readonly { path: readonly unknown[] }[] }) => {
      if (patches.some((patch) => patch.path[0] === 'documents' || patch.path.length === 0)) this.#update(space, root)
    }
    root.on('change', changed)
    return () => root.off('change', changed)
  }

  spaceOf(documentId: DocumentId): SpaceId | undefined {
    const claims = this.#claims.get(documentId)
    if (claims?.size !== 1) return undefined
    const [space] = claims
    return space
  }

  #update(space: SpaceId, root: DocHandle<SpaceDoc>): void {
    const now = new Set<DocumentId>([root.documentId, ...(Object.keys(root.doc().documents) as DocumentId[])])
    for (const doc of this.#listed.get(space) ?? []) if (!now.has(doc)) this.#unclaim(doc, space)
    for (const doc of now) {
      const claims = this.#claims.get(doc)
      if (claims === undefined) this.#claims.set(doc, new Set([space]))
      else claims.add(space)
    }
    this.#listed.set(space, now)
  }

  #unclaim(doc: DocumentId, space: SpaceId): void {
    const claims = this.#claims.get(doc)
    claims?.delete(space)
    if (claims?.size === 0) this.#claims.delete(doc)
  }
}
