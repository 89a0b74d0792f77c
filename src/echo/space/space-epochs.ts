/**
 * A space's epochs: compaction (`epoch.ts`), the replaced documents still open
 * here (`retired-documents.ts`) and their collection at a later start
 * (`epoch-collect.ts`). Compaction and collection hold the objects lock
 * exclusive.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Result } from '../../base'
import type { StorageFailed, StorageQuotaExceeded } from '../errors'
import type { SpaceId } from '../ids'
import type { Actor } from '../membership/entries'
import type { EpochRecord } from '../membership/fold'
import type { DocumentId, SpaceDoc } from './documents'
import type { CompactableSpace, EpochError } from './epoch'
import { compactSpace } from './epoch'
import { collectRetired } from './epoch-collect'
import type { ObjectDocuments } from './object-documents'
import { withObjectsLock } from './object-lock'
import { RetiredDocuments } from './retired-documents'
import type { SpaceContext } from './space-context'

type CollectResult = Result<number, StorageQuotaExceeded | StorageFailed>

export class SpaceEpochs {
  readonly #id: SpaceId
  readonly #root: DocHandle<SpaceDoc>
  readonly #context: SpaceContext
  readonly #epoch: () => EpochRecord | undefined
  readonly #retired: RetiredDocuments
  readonly #retiredHere = new Set<DocumentId>()
  #collecting: Promise<CollectResult> | undefined

  constructor(
    id: SpaceId,
    root: DocHandle<SpaceDoc>,
    context: SpaceContext,
    objects: ObjectDocuments,
    epoch: () => EpochRecord | undefined,
  ) {
    this.#id = id
    this.#root = root
    this.#context = context
    this.#epoch = epoch
    const check = { space: id, documents: context.documents, otherSpaces: context.otherSpaces }
    this.#retired = new RetiredDocuments(root, check, epoch, (doc) => objects.ensure(doc))
  }

  /** Compacts `space` (the facade's parts an epoch works on). */
  create(space: CompactableSpace, actor: Actor): Promise<Result<EpochRecord, EpochError>> {
    return withObjectsLock(this.#context.locks, this.#id, 'exclusive', () => compactSpace(space, actor, this.#context))
  }

  /** Marks documents an epoch of this session replaced: they are collected at a later start. */
  retiring(ids: readonly DocumentId[]): void {
    for (const id of ids) this.#retiredHere.add(id)
  }

  /** Starts once, after `loaded`: deletes what earlier epochs replaced; resolves with how many went. */
  collect(loaded: () => Promise<void>): Promise<CollectResult> {
    this.#collecting ??= loaded().then(() =>
      withObjectsLock(this.#context.locks, this.#id, 'exclusive', () =>
        collectRetired(this.#root, this.#epoch(), { ...this.#context, space: this.#id }, this.#retiredHere),
      ),
    )
    return this.#collecting
  }

  follow(): Promise<void> {
    return this.#retired.follow()
  }

  /** In the background: a failure (the database closed meanwhile) leaves the writes for the next start's collection. */
  followInBackground(): void {
    this.#retired.follow().catch(() => undefined)
  }
}
