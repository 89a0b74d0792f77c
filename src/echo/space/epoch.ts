/**
 * Epochs: a checkpoint that compacts a space's history. Every object document is
 * replaced by a fresh document holding the same objects with no history; the
 * root lists the new documents, keeps the manifest (documents and heads) under
 * its hash, and an Epoch credential naming that hash is added to the membership
 * log. Notes' text documents keep their history: the editor merges against it.
 *
 * Nothing is deleted here. The fresh documents are written before the root names
 * them, and the old ones stay until a later start has found the new root and its
 * documents on disk (`epoch-collect.ts`): a full disk or a killed tab leaves
 * either the old space or the new one, never neither. The manifest keeps each old
 * document's heads at the snapshot, so changes made to it later are carried into
 * its replacement (`carry-forward.ts`), here and again before it is collected.
 * Callers hold the space's objects lock exclusive (`object-lock.ts`).
 */
import { toJS } from '@automerge/automerge/slim'
import type { Clock, Result } from '../../base'
import type { Observable } from '../../base'
import { err, ok } from '../../base'
import type { DocumentStore } from '../document-store'
import { EpochOutOfRange, NotAllowed } from '../errors'
import type { StorageFailed, StorageQuotaExceeded } from '../errors'
import type { Actor } from '../membership/entries'
import { issueEpoch } from '../membership/entries'
import type { Credential, PublicKey, SpaceRole } from '../../halo'
import type { SpaceId } from '../ids'
import type { EpochRecord, MembershipState } from '../membership/fold'
import { can } from '../membership/policy'
import type { DocHandle } from '@automerge/automerge-repo/slim'
import { carryForward } from './carry-forward'
import { manifestHash } from './epoch-manifest'
import type { DocumentId, EpochManifest, ObjectsDoc, SpaceDoc } from './documents'

/** The parts of a space an epoch works on. */
export interface CompactableSpace {
  readonly id: SpaceId
  readonly root: DocHandle<SpaceDoc>
  readonly membership: Observable<MembershipState>
  roleOf(key: PublicKey): SpaceRole | undefined
  objectDocuments(): readonly DocHandle<ObjectsDoc>[]
  append(entry: Credential): void
  loaded(): Promise<void>
  refresh(): Promise<void>
  /** Documents this session retired: a later start collects them, not this one. */
  retiring(ids: readonly DocumentId[]): void
}

/**
 * The highest epoch number: Automerge reads 2^53 - 1 back as a bigint, which the
 * credential decoder refuses, so an Epoch numbered so would vanish from the log.
 */
export const MAX_EPOCH_NUMBER = Number.MAX_SAFE_INTEGER - 1

export type EpochError = NotAllowed | EpochOutOfRange | StorageQuotaExceeded | StorageFailed

export const compactSpace = async (
  space: CompactableSpace,
  actor: Actor,
  context: { readonly documents: DocumentStore; readonly clock: Clock },
): Promise<Result<EpochRecord, EpochError>> => {
  if (!can(space.roleOf(actor.identity), 'compact')) return err(new NotAllowed('this role may not record epochs'))
  await space.loaded()
  // The next number is the current one + 1, checked before anything is made.
  const current = space.membership.get().epoch?.number ?? 0
  const number = current + 1
  if (!Number.isSafeInteger(number) || number > MAX_EPOCH_NUMBER) return err(new EpochOutOfRange(current))
  const replaced = space.objectDocuments().map((old) => {
    const heads = [...old.heads()]
    // Created from the plain state, the new document starts with one change and no history.
    const fresh = context.documents.create<ObjectsDoc>(toJS(old.doc()))
    return { old, heads, fresh }
  })
  const discard = () => {
    for (const { fresh } of replaced) context.documents.remove(fresh.documentId)
  }
  const manifest: EpochManifest = {
    number,
    documents: Object.fromEntries(replaced.map(({ fresh }) => [fresh.documentId, [...fresh.heads()]])),
    replaced: Object.fromEntries(
      replaced.map(({ old, heads, fresh }) => [old.documentId, { into: fresh.documentId, heads }]),
    ),
  }
  const snapshot = await manifestHash(manifest)
  // Signed before anything is written: if signing fails, the fresh documents (only in memory) go and nothing changed.
  let entry: Credential
  try {
    entry = issueEpoch({
      actor,
      space: space.id,
      number,
      snapshot,
      parents: space.membership.get().heads,
      clock: context.clock,
    })
  } catch (error) {
    discard()
    throw error
  }
  // On disk before the root names them; if they cannot be written, nothing else has changed.
  const written = await context.documents.flush()
  if (!written.ok) {
    discard()
    return written
  }
  space.retiring(replaced.map(({ old }) => old.documentId))
  space.root.change((doc) => {
    for (const { old, fresh } of replaced) {
      Reflect.deleteProperty(doc.documents, old.documentId)
      doc.documents[fresh.documentId] = 'objects'
    }
    doc.epochs[snapshot] = manifest
  })
  space.append(entry)
  await space.refresh()
  // Writes that reached an old document after its heads were taken (a peer, a tab that ignored the lock) move over.
  for (const { old, heads, fresh } of replaced) carryForward(old, heads, fresh)
  // If the root cannot be written now it stays queued; until it is, the old documents are the space on disk.
  const saved = await context.documents.flush()
  if (!saved.ok) return saved
  const epoch = space.membership.get().epoch
  return epoch?.credential === entry.id
    ? ok(epoch)
    : err(new NotAllowed('the epoch was not accepted by the membership log'))
}
