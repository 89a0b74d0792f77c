/**
 * Epochs: a checkpoint that compacts a space's history. Every object document is
 * replaced by a fresh document holding the same objects with no history; the
 * root lists the new documents, keeps the manifest (documents and heads) under
 * its hash, and an Epoch credential naming that hash is added to the membership
 * log. Notes' text documents keep their history: the editor merges against it.
 */
import { toJS } from '@automerge/automerge/slim'
import type { Clock, Result } from '../../base'
import type { Observable } from '../../base'
import { err, ok, toHex } from '../../base'
import type { DocumentStore } from '../document-store'
import { NotAllowed } from '../errors'
import type { Actor } from '../membership/entries'
import { issueEpoch } from '../membership/entries'
import type { Credential, PublicKey, SpaceRole } from '../../halo'
import type { SpaceId } from '../ids'
import type { EpochRecord, MembershipState } from '../membership/fold'
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { EpochManifest, ObjectsDoc, SpaceDoc } from './documents'

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
}

const sha256 = async (text: string): Promise<string> =>
  `sha256:${toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))))}`

/** The manifest as canonical JSON: document ids sorted, heads sorted. */
const canonicalManifest = (manifest: EpochManifest): string =>
  JSON.stringify({
    number: manifest.number,
    documents: Object.fromEntries(
      Object.keys(manifest.documents)
        .sort()
        .map((id) => [id, [...(manifest.documents[id] ?? [])].sort()]),
    ),
  })

export const compactSpace = async (
  space: CompactableSpace,
  actor: Actor,
  context: { readonly documents: DocumentStore; readonly clock: Clock },
): Promise<Result<EpochRecord, NotAllowed>> => {
  const role = space.roleOf(actor.identity)
  if (role !== 'owner' && role !== 'admin') return err(new NotAllowed('only owners and admins record epochs'))
  await space.loaded()
  const number = (space.membership.get().epoch?.number ?? 0) + 1
  const replaced = space.objectDocuments().map((old) => {
    // Created from the plain state, the new document starts with one change and no history.
    const fresh = context.documents.create<ObjectsDoc>(toJS(old.doc()))
    return { old, fresh }
  })
  const manifest: EpochManifest = {
    number,
    documents: Object.fromEntries(replaced.map(({ fresh }) => [fresh.documentId, [...fresh.heads()]])),
  }
  const snapshot = await sha256(canonicalManifest(manifest))
  space.root.change((doc) => {
    for (const { old, fresh } of replaced) {
      Reflect.deleteProperty(doc.documents, old.documentId)
      doc.documents[fresh.documentId] = 'objects'
    }
    doc.epochs[snapshot] = manifest
  })
  const entry = issueEpoch({
    actor,
    space: space.id,
    number,
    snapshot,
    parents: space.membership.get().heads,
    clock: context.clock,
  })
  space.append(entry)
  await space.refresh()
  for (const { old } of replaced) context.documents.remove(old.documentId)
  const epoch = space.membership.get().epoch
  return epoch?.credential === entry.id
    ? ok(epoch)
    : err(new NotAllowed('the epoch was not accepted by the membership log'))
}
