/**
 * Which objects name which text document, so that a change of the text (typed here, from another tab or a peer,
 * or arriving at last) indexes their rows again. Learnt two ways: from an object document's objects as stored, when
 * it is followed (notes indexed in an earlier session), and from each note as it is indexed. An object may name any
 * text of its space, so a text may have many owners; the indexer paces those (see `MAX_TEXT_OWNERS` there).
 */
import type { ObjectId, SpaceId } from './ids'
import type { DocumentId } from './space/documents'
import { objectKey } from './storage/object-index'

export interface TextOwner {
  readonly space: SpaceId
  readonly object: ObjectId
  readonly doc: DocumentId
}

export class TextOwners {
  readonly #byText = new Map<DocumentId, Map<string, TextOwner>>()

  add(text: DocumentId, owner: TextOwner): void {
    const owners = this.#byText.get(text) ?? new Map<string, TextOwner>()
    owners.set(objectKey(owner.space, owner.object), owner)
    this.#byText.set(text, owners)
  }

  /** The objects that named `text` (one may have named another since: indexing it again is then only wasted). */
  of(text: DocumentId): readonly TextOwner[] {
    return [...(this.#byText.get(text)?.values() ?? [])]
  }

  /** Forgets the owners that `drop` picks (a document no longer followed, a space taken off this device). */
  forget(drop: (owner: TextOwner) => boolean): void {
    for (const [text, owners] of this.#byText) {
      for (const [key, owner] of owners) if (drop(owner)) owners.delete(key)
      if (owners.size === 0) this.#byText.delete(text)
    }
  }
}
