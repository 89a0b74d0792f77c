/**
 * Which space a document belongs to, in memory and synchronous (the mesh's access rule asks it on every inbound
 * message): each known space's root and the documents its root lists, kept current as roots change. A peer writes
 * roots, so a root listing another space's document must not move it or cut it off: a root always belongs to its own
 * space, and any other document to the space that claimed it first on this device (a newcomer's claim is refused).
 * A `documents` field holding junk lists nothing, and the change listener never throws.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { SpaceId } from './ids'
import type { DocumentId, SpaceDoc } from './space/documents'
import { keysIn } from './space/root-fields'

export class DocumentSpaces {
  /** Called when a root lists a document not listed before (the share rules may now say yes to it). */
  readonly #onListed: (space: SpaceId) => void
  readonly #claims = new Map<DocumentId, Set<SpaceId>>()
  readonly #listed = new Map<SpaceId, ReadonlySet<DocumentId>>()
  readonly #roots = new Map<DocumentId, SpaceId>()

  constructor(listed: (space: SpaceId) => void = () => undefined) {
    this.#onListed = listed
  }

  /** Follows `root`'s list from now on; returns how to stop. */
  follow(space: SpaceId, root: DocHandle<SpaceDoc>): () => void {
    this.#roots.set(root.documentId, space)
    this.#update(space, root)
    const changed = ({ patches }: { patches: readonly { path: readonly unknown[] }[] }) => {
      if (patches.some((patch) => patch.path[0] === 'documents' || patch.path.length === 0)) this.#update(space, root)
    }
    root.on('change', changed)
    return () => root.off('change', changed)
  }

  spaceOf(documentId: DocumentId): SpaceId | undefined {
    const own = this.#roots.get(documentId)
    if (own !== undefined) return own
    // Claims keep the order they were made in: the first is the one already placed here.
    const [space] = this.#claims.get(documentId) ?? []
    return space
  }

  #update(space: SpaceId, root: DocHandle<SpaceDoc>): void {
    const now = new Set<DocumentId>([root.documentId, ...(keysIn(root.doc().documents) as DocumentId[])])
    const before = this.#listed.get(space) ?? new Set<DocumentId>()
    for (const doc of before) if (!now.has(doc)) this.#unclaim(doc, space)
    for (const doc of now) {
      const claims = this.#claims.get(doc)
      if (claims === undefined) this.#claims.set(doc, new Set([space]))
      else claims.add(space)
    }
    this.#listed.set(space, now)
    if ([...now].some((doc) => !before.has(doc))) this.#onListed(space)
  }

  #unclaim(doc: DocumentId, space: SpaceId): void {
    const claims = this.#claims.get(doc)
    claims?.delete(space)
    if (claims?.size === 0) this.#claims.delete(doc)
  }
}
