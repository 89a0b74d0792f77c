/**
 * One open space, a thin facade over its parts: members (`space-members.ts`,
 * the fold and the policy), objects (`space-objects.ts`), notes' text
 * (`space-notes.ts`), epochs (`space-epochs.ts`) and the identity records of a
 * personal space (`identity-records.ts`). Its Automerge root stays inside ECHO
 * (`spaceInternals`, not exported by index.ts); the space's name and each key's
 * role are `Observable`s.
 */
import type { DocHandle } from '@automerge/automerge-repo/slim'
import type { Observable, Result } from '../../base'
import { err, ok } from '../../base'
import type { Credential, Profile, PublicKey, SpaceRole } from '../../halo'
import { decodeCredential } from '../../halo'
import type { InvalidFields, NoteTextNotInSpace, ObjectNotFound } from '../errors'
import { InvalidSpaceListing, NotAllowed } from '../errors'
import type { StorageFailed, StorageQuotaExceeded } from '../errors'
import type { ObjectId, SpaceId } from '../ids'
import type { Actor } from '../membership/entries'
import { can } from '../membership/policy'
import type { EpochRecord, MembershipState } from '../membership/fold'
import type { Query } from '../query/query'
import type { EchoObject, EchoObjectOf } from '../schema/echo-object'
import type { FieldsOf, ObjectType } from '../schema/object-types'
import type { LiveQuery } from '../storage/query-index'
import type { MarkdownFile } from '../transfer/markdown'
import { MAX_SPACE_NAME_LENGTH } from '../transfer/space-file-check'
import type { AutomergeUrl, DocumentId, ObjectsDoc, SpaceDoc } from './documents'
import { toPlain, toStored } from './documents'
import type { EpochError } from './epoch'
import { identityCredentialsIn, keepIdentityCredentials, onIdentityCredentials } from './identity-records'
import { keepInvitationRooms, type InvitationRoomEntry } from './invitation-rooms'
import { KeptInvitationRooms } from './kept-invitation-rooms'
import { ObjectDocuments } from './object-documents'
import type { FieldPatch } from './object-writes'
import type { SpaceContext } from './space-context'
import { SpaceEpochs } from './space-epochs'
import type { Added, ListedSpace, SwarmBoxEntry, SwarmBoxes } from './space-lists'
import { keysIn, recordIn, spaceNameIn } from './root-fields'
import { addSwarmBox, createLists, listedSpacesIn, listSpace, rootObservable, swarmBoxesIn } from './space-lists'
import { SpaceMembers } from './space-members'
import { SpaceNotes } from './space-notes'
import type { Draft, ObjectDraft } from './space-objects'
import { SpaceObjects } from './space-objects'
import type { NoteReader, NoteText } from './text'
import type { Progress } from '../text-queue'
import type { UndoLog } from './undo-log'

export type { Draft } from './space-objects'

/** What only ECHO's own code (and its tests, through `testing/`) may reach: the Automerge documents. */
interface SpaceInternals {
  readonly root: DocHandle<SpaceDoc>
  objectDocuments(): readonly DocHandle<ObjectsDoc>[]
}

let internalsOf: (space: Space) => SpaceInternals

/** The space's Automerge documents; not exported by index.ts, so no other layer reaches them. */
export const spaceInternals = (space: Space): SpaceInternals => internalsOf(space)

export class Space {
  readonly id: SpaceId
  readonly #root: DocHandle<SpaceDoc>
  readonly #members: SpaceMembers
  readonly #documents: ObjectDocuments
  readonly #objects: SpaceObjects
  readonly #notes: SpaceNotes
  readonly #epochs: SpaceEpochs
  readonly #rooms: KeptInvitationRooms
  readonly #textProgress: Observable<Progress>
  #loading: Promise<void> | undefined

  static {
    internalsOf = (space) => ({ root: space.#root, objectDocuments: () => space.#documents.all() })
  }

  constructor(id: SpaceId, root: DocHandle<SpaceDoc>, context: SpaceContext) {
    this.id = id
    this.#root = root
    this.#members = new SpaceMembers(id, root, context)
    const mayWrite = () => can(this.#members.roleOf(context.holder), 'write')
    this.#rooms = new KeptInvitationRooms(id, root, { ...context, store: context.rooms, mayWrite }, this.#members.state)
    this.#documents = new ObjectDocuments(id, root, context)
    this.#textProgress = context.indexer.textProgress(id)
    this.#notes = new SpaceNotes(root, context.documents, (object) => this.get(object), context.owns)
    const permit = (actor: Actor) => this.#members.permit(actor, 'write')
    this.#objects = new SpaceObjects(id, context, this.#documents, this.#notes, permit)
    const epoch = () => this.#members.state.get().epoch
    this.#epochs = new SpaceEpochs(id, root, context, this.#documents, epoch)
    // An epoch's manifest counts once the fold applied its credential, which may come after the manifest.
    let applied = epoch()?.credential
    this.#members.state.subscribe(({ epoch: current }) => {
      if (current?.credential === applied) return
      applied = current?.credential
      this.#epochs.followInBackground()
    })
    // Only what a change touched is recomputed: a space with 100,000 objects changes its root often.
    root.on('change', ({ patches }) => {
      const log = patches.filter((patch) => patch.path[0] === 'log')
      // The whole log replaced: every key is looked at again (and what it lost written back).
      const keys = log.some((patch) => patch.path.length < 2)
        ? keysIn(root.doc().log)
        : log.map((patch) => String(patch.path[1]))
      if (log.length > 0) this.#members.refold([...new Set(keys)])
      const documents = patches.flatMap((patch) =>
        patch.path[0] === 'documents' && patch.path.length === 2 ? [String(patch.path[1]) as DocumentId] : [],
      )
      // Another tab or a peer may have added an object document, or an epoch replaced some.
      // One no peer has yet is taken up when it arrives (object-documents.ts).
      if (documents.length > 0) this.#documents.follow(documents).catch(() => undefined)
      if (patches.some((patch) => patch.path[0] === 'epochs')) this.#epochs.followInBackground()
    })
  }

  /** Adds the membership entries and invitation rooms this device kept earlier; roles are final once it resolves. */
  async loadMembership(): Promise<void> {
    await this.#members.load()
    await this.#rooms.load()
  }

  /**
   * Resolves when every object document is loaded and the index has caught up
   * with them (started once, when the space is opened). Queries do not need to
   * wait for it: they read the index, which outlives reloads.
   */
  loaded(): Promise<void> {
    // A document that could not be loaded (lost from storage) is tried again next time: an import may restore it.
    this.#loading ??= this.#documents.load().catch((error: unknown) => {
      this.#loading = undefined
      throw error
    })
    return this.#loading
  }

  /** Brings the loaded object documents in line with the root's list again, and follows what the epoch replaced. */
  async refresh(): Promise<void> {
    await this.#documents.load()
    await this.#epochs.follow()
  }

  /** Records an epoch: object documents compacted to their current state (`can(role, 'compact')`). */
  createEpoch(actor: Actor): Promise<Result<EpochRecord, EpochError>> {
    const compactable = {
      id: this.id,
      root: this.#root,
      membership: this.#members.state,
      roleOf: (key: PublicKey) => this.roleOf(key),
      objectDocuments: () => this.#documents.all(),
      append: (entry: Credential) => this.append(entry),
      loaded: () => this.loaded(),
      refresh: () => this.refresh(),
      retiring: (ids: readonly DocumentId[]) => this.#epochs.retiring(ids),
    }
    return this.#epochs.create(compactable, actor)
  }

  /**
   * Deletes the object documents earlier epochs replaced, once this start has
   * loaded their replacements (started once by `Echo.openSpace`); resolves with how many went.
   */
  collectRetired(): Promise<Result<number, StorageQuotaExceeded | StorageFailed>> {
    return this.#epochs.collect(() => this.loaded())
  }

  get name(): string {
    // A peer may write anything here: kept in the space list and shown, so only a string, cut and cleaned.
    return spaceNameIn(toPlain(this.#root.doc().name), MAX_SPACE_NAME_LENGTH)
  }

  /** The name now and after every rename (here, in another tab, by a peer). */
  get liveName(): Observable<string> {
    return {
      get: () => this.name,
      subscribe: (listener) => {
        const changed = ({ patches }: { patches: readonly { path: readonly unknown[] }[] }) => {
          if (patches.some((patch) => patch.path[0] === 'name')) listener(this.name)
        }
        this.#root.on('change', changed)
        return () => this.#root.off('change', changed)
      },
    }
  }

  get personal(): boolean {
    return this.#root.doc().personal
  }

  /** Personal space only: keeps the identity's own credentials so they sync to its devices. */
  keepIdentityCredentials(credentials: readonly Credential[]): Result<number, NotAllowed> {
    if (!this.personal) return err(new NotAllowed('only the personal space keeps identity credentials'))
    return ok(keepIdentityCredentials(this.#root, credentials))
  }

  /** The identity credentials this space holds, unverified, and every later arrival of them. */
  identityCredentials(listener: (credentials: unknown[]) => void): { now: unknown[]; stop: () => void } {
    return { now: identityCredentialsIn(this.#root), stop: onIdentityCredentials(this.#root, listener) }
  }

  /**
   * How much of the space is here: object documents loaded of those listed, and notes' texts fetched of those
   * asked for (a note's text comes in a bounded queue after the objects), e.g. "Receiving your spaces: 3 of 7".
   */
  get receiving(): Observable<{ objects: Progress; texts: Progress }> {
    const objects = this.#documents.progress
    const texts = this.#textProgress
    const now = () => ({ objects: objects.get(), texts: texts.get() })
    return {
      get: now,
      subscribe: (listener) => {
        const stops = [objects.subscribe(() => listener(now())), texts.subscribe(() => listener(now()))]
        return () => {
          for (const stop of stops) stop()
        }
      },
    }
  }

  /** Personal space only: the identity's spaces as listed for its devices (valid entries only), as they change. */
  get listedSpaces(): Observable<readonly ListedSpace[]> {
    return rootObservable(this.#root, 'spaces', listedSpacesIn)
  }

  /**
   * The sealed swarm secrets of `spaceId` (well-formed entries only), as they change: the personal root's for the
   * identity's devices, a shared space's own root's for its members' devices after a rotation.
   */
  swarmBoxes(spaceId: SpaceId): Observable<SwarmBoxes> {
    return rootObservable(this.#root, 'spaceKeys', (doc) => swarmBoxesIn(doc, spaceId))
  }

  /** Personal root made before its lists were created with it: creates them once, where `actor` may write. */
  createLists(actor: Actor): void {
    if (this.personal && this.#members.permit(actor, 'write').ok) createLists(this.#root)
  }

  /** Lists a space of the identity for its other devices; true when written. A listing already there is kept. */
  listSpace(actor: Actor, spaceId: SpaceId, rootUrl: AutomergeUrl): Result<boolean, NotAllowed | InvalidSpaceListing> {
    return this.#addToLists(actor, () => listSpace(this.#root, spaceId, rootUrl))
  }

  /**
   * Keeps a sealed swarm secret of `spaceId`; true when added (an entry is never replaced). In the personal root for
   * the identity's devices; in a shared space's root, its own secret only, by a member who may write (peers take a
   * non-writer's root changes out on receipt).
   */
  addSwarmBox(actor: Actor, spaceId: SpaceId, entry: SwarmBoxEntry): Result<boolean, NotAllowed | InvalidSpaceListing> {
    if (this.personal) return this.#addToLists(actor, () => addSwarmBox(this.#root, spaceId, entry))
    if (spaceId !== this.id) return err(new NotAllowed("a shared space's root keeps only its own secret"))
    const allowed = this.#members.permit(actor, 'write')
    if (!allowed.ok) return allowed
    const added = addSwarmBox(this.#root, spaceId, entry)
    if (added === 'invalid') return err(new InvalidSpaceListing('a space id, device key or box is malformed'))
    return ok(added === 'added')
  }

  #addToLists(actor: Actor, add: () => Added): Result<boolean, NotAllowed | InvalidSpaceListing> {
    if (!this.personal) return err(new NotAllowed('only the personal space lists spaces'))
    const allowed = this.#members.permit(actor, 'write')
    if (!allowed.ok) return allowed
    const added = add()
    if (added === 'invalid') return err(new InvalidSpaceListing('a space id, root URL, device key or box is malformed'))
    return ok(added === 'added')
  }

  get membership(): Observable<MembershipState> {
    return this.#members.state
  }

  roleOf(key: PublicKey): SpaceRole | undefined {
    return this.#members.roleOf(key)
  }

  /** Whether the space's fold holds `device` revoked (a revocation its identity made, or one that outranks it). */
  isDeviceRevoked(device: PublicKey): boolean {
    return this.#members.isDeviceRevoked(device)
  }

  /** Who removed `key` (an identity key), while `key` stays removed; undefined otherwise. */
  removedBy(key: PublicKey): PublicKey | undefined {
    return this.#members.removalOf(key)?.issuer
  }

  /** The removal of `key` that holds now (the evidence a refused former member can check itself). */
  removalOf(key: PublicKey): Credential | undefined {
    return this.#members.removalOf(key)
  }

  /** The Profiles members signed into the log (verified; the fold ignores them), by identity. */
  profiles(): ReadonlyMap<PublicKey, Profile & { readonly issuedAt: number; readonly id: string }> {
    return this.#members.profiles()
  }

  /** `key`'s role now and as the membership changes (undefined: not a member); `can` says what it allows. */
  role(key: PublicKey): Observable<SpaceRole | undefined> {
    return this.#members.role(key)
  }

  rename(actor: Actor, name: string, undo?: UndoLog): Result<void, NotAllowed> {
    const allowed = this.#members.permit(actor, 'rename')
    if (!allowed.ok) return allowed
    const change = () =>
      this.#root.change((doc) => {
        doc.name = toStored(name) as string
      })
    if (undo === undefined) change()
    else undo.name(this.#root, change)
    return ok(undefined)
  }

  /** Admits `subject` with `role` (or changes their role); `NotAllowed` unless the entry takes effect. */
  admit(actor: Actor, subject: PublicKey, role: SpaceRole): Result<Credential, NotAllowed> {
    return this.#members.admit(actor, subject, role)
  }

  /** Removes `subject` (`actor` itself: leaves); `NotAllowed` unless the entry takes effect. */
  remove(actor: Actor, subject: PublicKey): Result<Credential, NotAllowed> {
    return this.#members.remove(actor, subject)
  }

  /**
   * Records in the log that `actor`'s identity revoked `device`: unless `place`
   * is false, a revocation signed by `actor` from the heads this device has seen
   * on (what they name keeps its effect), if this device has not placed one
   * already; and `evidence`, the identity's own revocations of it (HALO's, which
   * may be signed by the identity key and so outrank any device), copied as they
   * are. Returns what was written; only members record revocations.
   */
  recordDeviceRevocation(
    actor: Actor,
    device: PublicKey,
    evidence: readonly Credential[] = [],
    { place = true }: { readonly place?: boolean } = {},
  ): Result<readonly Credential[], NotAllowed> {
    return this.#members.recordDeviceRevocation(actor, device, evidence, place)
  }

  /**
   * Opens an invitation (halo's `invitationKey(K)` gives `key`); `NotAllowed` (nothing written) unless the actor may
   * grant `role`. K itself is never stored in the space (a member who could read K could redeem it for an identity
   * of its own); `room`, its rendezvous secret signed by `key`, goes into the root (not the log), so members who may
   * admit can host it (halo's `invitationRoom`).
   */
  invite(
    actor: Actor,
    invitation: { key: PublicKey; role: SpaceRole; uses: number; until: number },
    room?: InvitationRoomEntry,
  ): Result<Credential, NotAllowed> {
    const issued = this.#members.invite(actor, invitation)
    if (issued.ok && room !== undefined) keepInvitationRooms(this.#root, new Map([[invitation.key, room]]))
    return issued
  }

  /**
   * R_K of each invitation in the log whose room entry this device verified (signed by its invite key), by invite
   * key, live: kept on this device once seen, whatever the root later holds (`kept-invitation-rooms.ts`).
   */
  get invitationRooms(): Observable<ReadonlyMap<string, Uint8Array>> {
    return this.#rooms.rooms
  }

  /** Cancels the invitation of invite key `key`; `NotAllowed` unless it takes effect. */
  cancelInvitation(actor: Actor, key: PublicKey): Result<Credential, NotAllowed> {
    return this.#members.cancelInvitation(actor, key)
  }

  /** Admits a guest by its use of an invitation, countersigned by `actor` (see `SpaceMembership.admitGuest`). */
  admitGuest(actor: Actor, use: Credential): Result<Credential, NotAllowed> {
    return this.#members.admitGuest(actor, use)
  }

  /** The log's entry `id` as stored (decoded, not judged: ask the fold what it made of it). */
  entry(id: string): Credential | undefined {
    const stored: unknown = (this.#root.doc().log as Record<string, unknown> | undefined)?.[id]
    if (stored === undefined) return undefined
    const decoded = decodeCredential(toPlain(stored))
    return decoded.ok ? decoded.value : undefined
  }

  /** Every value of the log as stored (the fold's input), for a guest to fold itself before it trusts a host. */
  logValues(): unknown[] {
    return Object.values(recordIn(this.#root.doc().log)).map(toPlain)
  }

  /** Appends a signed entry to the log (kept even if the fold ignores it). */
  append(entry: Credential): void {
    this.#members.append(entry)
  }

  async create<T extends ObjectType>(
    actor: Actor,
    type: T,
    fields: FieldsOf[T],
    undo?: UndoLog,
  ): Promise<Result<EchoObjectOf<T>, NotAllowed | InvalidFields>> {
    const created = await this.#objects.insert(actor, [{ type, fields } as ObjectDraft], undo)
    // One draft of type T in, one object of type T out.
    return created.ok ? ok(created.value[0] as EchoObjectOf<T>) : created
  }

  /** A new note with its own text document holding `text`. */
  async createNote(
    actor: Actor,
    title: string,
    text = '',
    undo?: UndoLog,
  ): Promise<Result<EchoObjectOf<'note'>, NotAllowed | InvalidFields>> {
    const created = await this.createMany(actor, [{ type: 'note', title, text }], undo)
    return created.ok ? ok(created.value[0] as EchoObjectOf<'note'>) : created
  }

  /**
   * Creates many objects with one change per object document (an import, a
   * paste): much cheaper than one change each. Nothing is written unless every
   * draft is valid.
   */
  createMany(
    actor: Actor,
    drafts: readonly Draft[],
    undo?: UndoLog,
  ): Promise<Result<EchoObject[], NotAllowed | InvalidFields>> {
    return this.#objects.createMany(actor, drafts, undo)
  }

  update<T extends ObjectType>(
    actor: Actor,
    id: ObjectId,
    type: T,
    patch: FieldPatch<T>,
    undo?: UndoLog,
  ): Promise<Result<EchoObjectOf<T>, NotAllowed | InvalidFields | ObjectNotFound | NoteTextNotInSpace>> {
    return this.#objects.update(actor, id, type, patch, undo)
  }

  /** Soft delete: the object stays in its document with `deleted: true` and can be restored. */
  delete(actor: Actor, id: ObjectId, undo?: UndoLog): Promise<Result<void, NotAllowed | ObjectNotFound>> {
    return this.#objects.setDeleted(actor, id, true, undo)
  }

  restore(actor: Actor, id: ObjectId, undo?: UndoLog): Promise<Result<void, NotAllowed | ObjectNotFound>> {
    return this.#objects.setDeleted(actor, id, false, undo)
  }

  /**
   * Takes back the writes `undo` remembers, when their save was refused (a full disk): the list, the
   * document and, once saved, storage then agree they were not made. Both the write and its undoing
   * stay queued and reach the disk together at a later save.
   */
  undo(undo: UndoLog): Promise<void> {
    return this.#objects.undo(undo)
  }

  /** The object as indexed (undefined when unknown or quarantined). */
  get(id: ObjectId): Promise<EchoObject | undefined> {
    return this.#objects.get(id)
  }

  /** Follows a reference: the object `id` names, unless it is missing, quarantined or deleted. */
  async resolve(id: ObjectId): Promise<EchoObject | undefined> {
    const object = await this.get(id)
    return object?.deleted === true ? undefined : object
  }

  query(query: Query): LiveQuery {
    return this.#objects.query(query)
  }

  /** A one-off query, after pending index updates are written. */
  find(query: Query): Promise<EchoObject[]> {
    return this.#objects.find(query)
  }

  quarantined() {
    return this.#objects.quarantined()
  }

  /** The note's writable text document, for an editor binding; `NotAllowed` unless `can(role, 'write')`. */
  noteText(actor: Actor, id: ObjectId): Promise<Result<NoteText, ObjectNotFound | NoteTextNotInSpace | NotAllowed>> {
    return this.#notes.text(id, this.#members.permit(actor, 'write'))
  }

  /** The note's text for reading only (any member may read): its value now and its changes. */
  noteReader(id: ObjectId): Promise<Result<NoteReader, ObjectNotFound | NoteTextNotInSpace>> {
    return this.#notes.reader(id)
  }

  /** The note as a Markdown file (title as heading, text as body). */
  noteMarkdown(id: ObjectId): Promise<Result<MarkdownFile, ObjectNotFound | NoteTextNotInSpace>> {
    return this.#notes.markdown(id)
  }
}
