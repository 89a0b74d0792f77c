/**
 * Replaced object documents still open in this tab. When an epoch (made here, in
 * another tab or by a peer) replaces documents this tab has loaded, writes can
 * still reach them: this tab's own writes made before it saw the epoch, another
 * tab's, a peer's. Each is carried into the replacement as soon as it lands, so
 * the space shows it now rather than after the next start. Only the applied
 * epoch's replacements of this space's own documents are followed (`epoch-trust.ts`).
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { EpochRecord } from '../membership/fold'
import { carryForward } from './carry-forward'
import type { DocumentId, ObjectsDoc, SpaceDoc } from './documents'
import type { ReplacementCheck } from './epoch-trust'
import { appliedReplacements, ownReplacement } from './epoch-trust'

export class RetiredDocuments {
  readonly #root: DocHandle<SpaceDoc>
  readonly #check: ReplacementCheck
  readonly #epoch: () => EpochRecord | undefined
  readonly #ensure: (id: DocumentId) => Promise<DocHandle<ObjectsDoc> | undefined>
  readonly #followed = new Set<DocumentId>()

  constructor(
    root: DocHandle<SpaceDoc>,
    check: ReplacementCheck,
    epoch: () => EpochRecord | undefined,
    ensure: (id: DocumentId) => Promise<DocHandle<ObjectsDoc> | undefined>,
  ) {
    this.#root = root
    this.#check = check
    this.#epoch = epoch
    this.#ensure = ensure
  }

  /** Starts following every replaced document loaded here (called when the root's epochs or the applied epoch change). */
  async follow(): Promise<void> {
    const doc = this.#root.doc()
    const replaced = (await appliedReplacements(doc, this.#epoch())).filter(
      ([old]) => !this.#followed.has(old) && this.#check.documents.isLoaded(old),
    )
    if (replaced.length === 0) return
    const others = await this.#check.otherSpaces(this.#check.space)
    for (const entry of replaced) {
      const [id, { into, heads }] = entry
      // Taken before the first await, so that two calls running at once follow a document once.
      if (this.#followed.has(id)) continue
      this.#followed.add(id)
      const source = await ownReplacement(doc, entry, this.#check, others)
      if (source === undefined) {
        this.#followed.delete(id)
        continue
      }
      const target = await this.#ensure(into as DocumentId)
      if (target === undefined) continue
      const carry = () => void carryForward(source, heads, target)
      carry()
      source.on('change', carry)
    }
  }
}
