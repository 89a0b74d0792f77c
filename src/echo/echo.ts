/**
 * The ECHO runtime of one browser profile: an automerge-repo over our Dexie
 * storage (optionally shared with other tabs over BroadcastChannel), the query
 * indexer, and the spaces on this device.
 */
import type { DocHandle, NetworkAdapterInterface, PeerId } from '@automerge/automerge-repo/slim'
import {
  isValidAutomergeUrl,
  isValidDocumentId,
  parseAutomergeUrl,
  Repo,
  stringifyAutomergeUrl,
} from '@automerge/automerge-repo/slim'
import type { Clock, Observable, Result } from '../base'
import { err, ok, systemClock } from '../base'
import type { KeyPair, PublicKey } from '../halo'
import { generateKeyPair } from '../halo'
import { DocumentStore, REPO_SAVE_DELAY_NEVER } from './document-store'
import { Aborted, NotAllowed, SpaceNotFound, SpaceRefused } from './errors'
import type { DocumentCorrupt, InvalidSpaceFile, SpaceFileTooLarge, SpaceNotAllHere } from './errors'
import type { StorageFailed, StorageQuotaExceeded } from './errors'
import type { SpaceId } from './ids'
import { DocumentSpaces } from './document-spaces'
import { TabsNetwork } from './tabs-network'
import { documentSpaceStore } from './storage/document-space-store'
import { keysIn, spaceNameIn } from './space/root-fields'
import { Indexer } from './indexer'
import { PeerSync, type PeerSyncWatch } from './peer-sync'
import type { ReplicationRules } from './replication'
import { Replication } from './replication'
import { AskedHeads, changesIn, knownHeads, withoutChanges } from './sync-screen'
import { isSpaceRoot } from './viewer-check/viewer-changes'
import { inPlaceViewerCheck, type ViewerChangeCheck } from './viewer-check/viewer-check'
import type { Actor } from './membership/entries'
import { issueGenesis } from './membership/entries'
import { can, isTopRole } from './membership/policy'
import type { AutomergeUrl, DocumentId, SpaceDoc } from './space/documents'
import { toPlain, toStored } from './space/documents'
import { membershipRefusalOf, refusalOf, untilReady } from './space/adopted-root'
import type { Placement } from './space/placement'
import { DEFAULT_PLACEMENT } from './space/placement'
import type { Locks } from './space/object-lock'
import { withObjectsLock } from './space/object-lock'
import { Space, spaceInternals } from './space/space'
import type { ListedSpace } from './space/space-lists'
import { DexieStorageAdapter, toStorageError } from './storage/dexie-storage-adapter'
import type { StorageStatus } from './storage/dexie-storage-adapter'
import type { DatabaseOptions, EchoDatabase, SpaceRow } from './storage/echo-database'
import { openEchoDatabase } from './storage/echo-database'
import { InvitationRoomStore } from './storage/invitation-room-store'
import { LogStore } from './storage/log-store'
import { clearSpaceIndex } from './storage/object-index'
import type { StorageHealth } from './storage/durability'
import { storageHealth } from './storage/durability'
import type { Query } from './query/query'
import type { EchoObject } from './schema/echo-object'
import type { LiveQuery } from './storage/query-index'
import { liveObjectQuery, runQuery } from './storage/query-index'
import { exportSpaceFile, readSpaceFile } from './transfer/space-file'
import { checkSpaceFile, MAX_SPACE_NAME_LENGTH } from './transfer/space-file-check'
import { localDocuments } from './transfer/local-documents'
import { getSpace, keepSpaceName, liveSpaces, putSpace, spacesOf, updateSpace } from './storage/space-registry'
import { SyncStates } from './sync-states'

export interface EchoOptions {
  /** Where the IndexedDB database lives (name, fake-indexeddb in tests); ignored when `db` is given. */
  readonly database?: DatabaseOptions
  readonly db?: EchoDatabase
  readonly clock?: Clock
  /** automerge-repo network adapters, e.g. `broadcastChannelNetwork()` to share documents between tabs. */
  readonly network?: readonly NetworkAdapterInterface[]
  /** This repo's peer id (the client passes `cp1.<device hex>.<random>`); random when absent. */
  readonly peerId?: string
  readonly placement?: Placement
  /** How long to wait before writing changed documents (ms); `flush()` writes at once. */
  readonly saveDebounceMs?: number
  /** How long after a refused save (a full disk) to try again on its own (ms; default 5 s). */
  readonly saveRetryMs?: number
  /** Web Locks shared with the other tabs (default `navigator.locks`): epochs exclude object writes. */
  readonly locks?: Locks
  /** Where a viewer's changes are judged (the browser: `WorkerViewerCheck`); in place when absent. */
  readonly viewerCheck?: ViewerChangeCheck
}

/**
 * Shares documents with the other tabs of this browser profile that use the same channel. `peerWaitMs`: how long a
 * tab that does not replicate waits for another tab before asking for a document it lacks (tests make it long).
 */
export const broadcastChannelNetwork = (
  channelName = 'commonplace-echo',
  options: { readonly peerWaitMs?: number } = {},
): NetworkAdapterInterface => new TabsNetwork({ channelName, ...options })

/** What only ECHO's own code (and its tests, through `testing/`) may reach: storage and documents. */
interface EchoInternals {
  readonly db: EchoDatabase
  readonly repo: Repo
  readonly documents: DocumentStore
}

let internalsOf: (echo: Echo) => EchoInternals

/** Not exported by index.ts, so no other layer reaches the database or the repo. */
export const echoInternals = (echo: Echo): EchoInternals => internalsOf(echo)

export class Echo {
  readonly clock: Clock
  readonly #db: EchoDatabase
  readonly #repo: Repo
  readonly #documents: DocumentStore
  readonly #adapter: DexieStorageAdapter
  readonly #indexer: Indexer
  readonly #logs: LogStore
  readonly #rooms: InvitationRoomStore
  readonly #placement: Placement
  readonly #locks: Locks
  readonly #open = new Map<SpaceId, Promise<Result<Space, SpaceNotFound>>>()
  readonly #tabs: readonly NetworkAdapterInterface[]
  readonly #askedHeads = new AskedHeads()
  readonly #viewerCheck: ViewerChangeCheck
  // Remote peers are offered roots first, then object documents, then the rest (offer-queue.ts).
  readonly #replication = new Replication({ rank: (documentId) => this.#documentSpaces.rank(documentId) })
  readonly #syncStates: SyncStates
  readonly #peerSync: PeerSync
  // A document made before its root listed it was refused to peers then (no space yet): offer it once it is
  // listed; a note indexed before its root listed its text is indexed again, so its text is fetched.
  readonly #documentSpaces: DocumentSpaces
  #offerScheduled = false

  static {
    internalsOf = (echo) => ({ db: echo.#db, repo: echo.#repo, documents: echo.#documents })
  }

  constructor(options: EchoOptions = {}) {
    this.#db = options.db ?? openEchoDatabase(options.database)
    this.clock = options.clock ?? systemClock
    this.#placement = options.placement ?? DEFAULT_PLACEMENT
    this.#locks = options.locks ?? navigator.locks
    this.#viewerCheck = options.viewerCheck ?? inPlaceViewerCheck()
    this.#adapter = new DexieStorageAdapter(this.#db)
    const tabs = options.network ?? []
    this.#tabs = tabs
    for (const adapter of tabs) this.#replication.addTabs(adapter)
    this.#repo = new Repo({
      storage: this.#adapter,
      network: [...tabs],
      ...(options.peerId === undefined ? {} : { peerId: options.peerId as PeerId }),
      // Saves are made by the DocumentStore, which reports failures; see document-store.ts.
      saveDebounceRate: REPO_SAVE_DELAY_NEVER,
      // Tabs may have everything (the same person), offered by followers only; peers of `replicate` only
      // what their rules allow (replication.ts).
      shareConfig: this.#replication.shareConfig,
    })
    this.#documents = new DocumentStore(this.#repo, {
      delayMs: options.saveDebounceMs ?? 100,
      retryMs: options.saveRetryMs ?? 5_000,
      // Index rows a full disk refused are written once documents could be.
      saved: () => this.#indexer.retry(),
    })
    this.#indexer = new Indexer(this.#db, this.#documents, () => this.#replication.replicating)
    this.#logs = new LogStore(this.#db)
    this.#rooms = new InvitationRoomStore(this.#db)
    this.#syncStates = new SyncStates(this.#repo, options.saveDebounceMs ?? 100)
    this.#documentSpaces = new DocumentSpaces({
      listed: (space) => {
        this.#offerListed()
        this.#indexer.textsListed(space)
      },
      isHere: (documentId) => this.#documents.isLoaded(documentId),
      store: documentSpaceStore(this.#db, {
        rootOf: (row) => parseAutomergeUrl(row.rootUrl as AutomergeUrl).documentId,
        listedBy: async (row) => {
          // Read once, before answers were stored: a root that cannot be read lists nothing.
          const root = await this.#documents.find<SpaceDoc>(row.rootUrl as AutomergeUrl).catch(() => undefined)
          return keysIn(root?.doc().documents)
        },
      }),
    })
    this.#peerSync = new PeerSync(this.#repo, (documentId) => this.#documentSpaces.spaceOf(documentId), 50)
  }

  /**
   * automerge-repo's storage id of this browser profile (random, made once, shared by its tabs): what a peer's
   * repo keys the sync state it keeps for us under.
   */
  async storageId(): Promise<string | undefined> {
    return this.#repo.storageId()
  }

  /**
   * How far a remote peer (its repo's peer id) is from us, by heads as automerge-repo reports them for it
   * (peer-sync.ts): the count of documents of a space it `sees` (the mesh's access rule) still to sync; `changed`
   * after each batch that moved it, and after each `shareConfigChanged`.
   */
  watchPeer(peer: string, changed: () => void, sees?: (documentId: DocumentId) => boolean): PeerSyncWatch {
    return this.#peerSync.watch(peer, changed, sees)
  }

  /** 'quota-exceeded' after the browser refused a write (nothing earlier is lost), until one succeeds. */
  get storageStatus(): Observable<StorageStatus> {
    return this.#adapter.status
  }

  /** The last failure to write the query index, until a later batch succeeds. */
  get indexFailure(): Observable<Error | undefined> {
    return this.#indexer.failure
  }

  /**
   * Replicates over `adapter` (the mesh) from now on: its peers get and may ask for only the documents
   * `rules` allow. Call `shareConfigChanged()` whenever an answer may have changed (membership, revocations).
   */
  replicate(adapter: NetworkAdapterInterface, rules: ReplicationRules): void {
    const leading = this.#replication.replicating
    this.#replication.addRemote(adapter, rules)
    this.#repo.networkSubsystem.addNetworkAdapter(adapter)
    // This tab now leads: it stops offering to the tabs what they did not ask for (replication.ts), and asks for
    // the texts of notes indexed without them.
    if (!leading) {
      for (const tab of this.#tabs) if (tab instanceof TabsNetwork) tab.lead()
      this.#repo.shareConfigChanged()
      void this.#indexer.askWaitingTexts()
    }
  }

  /** Stops replicating over `adapter` (it is disconnected); with no adapter left, this tab announces to the tabs again. */
  stopReplicating(adapter: NetworkAdapterInterface): void {
    if (!this.#replication.removeRemote(adapter)) return
    this.#repo.networkSubsystem.removeNetworkAdapter(adapter)
    // No longer leading: this tab announces what it holds to the next leader, like any follower.
    if (!this.#replication.replicating) this.#repo.shareConfigChanged()
  }

  /** Once per turn while replicating: newly listed documents may now be allowed to peers. */
  #offerListed(): void {
    if (!this.#replication.replicating || this.#offerScheduled) return
    this.#offerScheduled = true
    queueMicrotask(() => {
      this.#offerScheduled = false
      if (this.#replication.replicating) this.#repo.shareConfigChanged()
    })
  }

  /** The rules' answers may have changed: documents now allowed are offered, those refused stop. */
  shareConfigChanged(): void {
    this.#repo.shareConfigChanged()
    this.#peerSync.accessChanged()
  }

  /**
   * The space whose root is `documentId` or lists it, among the spaces opened here (synchronous, for the
   * access rule); undefined for a document no space or more than one space lists.
   */
  spaceOfDocument(documentId: DocumentId): SpaceId | undefined {
    return this.#documentSpaces.spaceOf(documentId)
  }

  /** Whether `documentId` is the root of a space opened here (synchronous, for the access rule). */
  isSpaceRoot(documentId: DocumentId): boolean {
    return this.#documentSpaces.isRoot(documentId)
  }

  /**
   * The space `documentId` was placed in on this device, stored once and never moved (document-spaces.ts), even
   * while that space does not list it; undefined for a document not here yet.
   */
  placementOfDocument(documentId: DocumentId): SpaceId | undefined {
    return this.#documentSpaces.placement(documentId)
  }

  /**
   * `data`, a sync message a peer sent about `documentId`, without the changes it carries (sync-screen.ts), for
   * a peer that may not write there; undefined when it is not a sync message. Waits for the document to load.
   * `sender` (the peer's identity) may add its own leave or device revocation to a root's log, nothing else.
   */
  async withoutChanges(
    documentId: string,
    data: Uint8Array,
    sender: PublicKey | null = null,
  ): Promise<Uint8Array | undefined> {
    if (!isValidDocumentId(documentId)) return undefined
    const handle = await this.#repo
      .find<Record<string, unknown>>(documentId, { allowableStates: ['ready', 'unavailable', 'requesting'] })
      .catch(() => undefined)
    const doc = handle?.isReady() === true ? handle.doc() : undefined
    const changes = changesIn(data)
    const passes =
      changes.length > 0 &&
      sender !== null &&
      isSpaceRoot(doc) &&
      (await this.#viewerCheck.passes(documentId, doc, changes, { identity: sender, clock: this.clock }))
    const ours = knownHeads(doc, () => passes)
    return withoutChanges(data, ours, (heads) =>
      this.#askedHeads.first(`${documentId} ${sender ?? ''} ${heads.join()}`),
    )
  }

  /** Creates a space with a fresh space key; the actor becomes its owner. */
  async createSpace(actor: Actor, name: string, options: { personal?: boolean } = {}): Promise<Space> {
    await this.#documentSpaces.load()
    const spaceKey: KeyPair = generateKeyPair()
    const id = spaceKey.publicKey as string as SpaceId
    const log = issueGenesis(spaceKey, actor.identity, this.clock)
    const root = this.#documents.create<SpaceDoc>({
      kind: 'commonplace/space',
      space: id,
      name,
      personal: options.personal === true,
      log: {},
      documents: {},
      epochs: {},
      // The lists exist from the start: two devices creating them at once would each keep only their own.
      ...(options.personal === true ? { spaces: {}, spaceKeys: {} } : {}),
    })
    root.change((doc) => {
      doc.name = toStored(name) as string
      for (const entry of log) doc.log[entry.id] = toStored(entry)
    })
    await putSpace(this.#db, {
      id,
      rootUrl: root.url,
      identity: actor.identity,
      name,
      personal: options.personal === true ? 1 : 0,
      archived: 0,
      createdAt: this.clock.now(),
    })
    const space = this.#space(id, root, actor.identity)
    this.#open.set(id, Promise.resolve(ok(space)))
    if (options.personal !== true) await this.#listInPersonal(actor, [{ spaceId: id, rootUrl: root.url }])
    return space
  }

  /**
   * Lists spaces in the actor's personal space, if it is on this device, so its other devices find them. A space
   * whose listing is refused (a device without the right to write there) stays unlisted; the next call lists it.
   */
  async #listInPersonal(actor: Actor, spaces: readonly ListedSpace[]): Promise<void> {
    const row = (await spacesOf(this.#db, actor.identity)).find((each) => each.personal === 1)
    if (row === undefined) return
    const personal = await this.openSpace(row.id as SpaceId)
    if (!personal.ok) return
    for (const { spaceId, rootUrl } of spaces) personal.value.listSpace(actor, spaceId, rootUrl)
  }

  /** The identity's personal space (synced to its own devices), created on first call. */
  async personalSpace(actor: Actor): Promise<Space> {
    const rows = await spacesOf(this.#db, actor.identity)
    const existing = rows.find((row) => row.personal === 1)
    let personal: Space
    if (existing === undefined) personal = await this.createSpace(actor, 'Personal', { personal: true })
    else {
      const opened = await this.openSpace(existing.id as SpaceId)
      if (!opened.ok) throw opened.error
      personal = opened.value
      personal.createLists(actor)
    }
    // Spaces made before the personal space listed them (or while it could not be written) are listed now.
    const listed = new Set<string>(personal.listedSpaces.get().map((each) => each.spaceId))
    const unlisted = rows.filter((row) => row.personal === 0 && !listed.has(row.id))
    for (const row of unlisted) personal.listSpace(actor, row.id as SpaceId, row.rootUrl as AutomergeUrl)
    return personal
  }

  /** The identity's spaces on this device, kept current across tabs (`undefined` until first read). */
  spaces(identity: PublicKey): Observable<readonly SpaceRow[] | undefined> & { close(): void } {
    return liveSpaces(this.#db, identity)
  }

  listSpaces(identity: PublicKey): Promise<SpaceRow[]> {
    return spacesOf(this.#db, identity)
  }

  /** 'storage-cleared' when this identity exists but its spaces are gone from this device. */
  async health(identity: PublicKey, identityExists = true): Promise<StorageHealth> {
    return storageHealth(identityExists, await spacesOf(this.#db, identity))
  }

  /**
   * A live query straight over the index, without opening the space's documents:
   * the fast path for the first screen after a reload.
   */
  query(space: SpaceId, query: Query): LiveQuery {
    return liveObjectQuery(this.#db, space, query)
  }

  /** A one-off query over the index, after pending index updates are written. */
  async find(space: SpaceId, query: Query): Promise<EchoObject[]> {
    await this.#indexer.settled()
    return runQuery(this.#db, space, query)
  }

  /** Opens a space of this device: resolves once its root is here; its object documents keep loading (`loaded()`). */
  openSpace(id: SpaceId): Promise<Result<Space, SpaceNotFound>> {
    const open = this.#open.get(id)
    if (open !== undefined) return open
    // Remembered at once, so that two callers share one opening; a failed one (or one whose registry read was
    // refused) is forgotten, unless another took its place meanwhile (an adoption's).
    const forget = () => {
      if (this.#open.get(id) === opening) this.#open.delete(id)
    }
    const opening = this.#opening(id).then(
      (opened) => {
        if (!opened.ok) forget()
        return opened
      },
      (error: unknown) => {
        forget()
        throw error
      },
    )
    this.#open.set(id, opening)
    return opening
  }

  async #opening(id: SpaceId): Promise<Result<Space, SpaceNotFound>> {
    const row = await getSpace(this.#db, id)
    try {
      if (row === undefined) throw new SpaceNotFound(id)
      await this.#documentSpaces.load()
      const root = await this.#documents.find<SpaceDoc>(row.rootUrl as AutomergeUrl)
      const space = this.#space(id, root, row.identity as PublicKey)
      await space.loadMembership()
      // Object documents load in the background (`space.loaded()`); a write loads its document first.
      // Then what earlier epochs replaced is collected (never in the session that replaced it).
      space.collectRetired().catch(() => undefined)
      return ok(space)
    } catch (error) {
      // The registry knows the space but its root document is gone: as good as not here.
      return err(error instanceof SpaceNotFound ? error : new SpaceNotFound(id))
    }
  }

  /**
   * Whether `id` is registered here while its root document is neither stored nor loaded: a page closed between an
   * older adoption's row and its root's save left it so, and only adopting it again (`adoptSpace`) brings the root.
   */
  async lacksRoot(id: SpaceId): Promise<boolean> {
    const row = await getSpace(this.#db, id)
    if (row === undefined) return false
    const { documentId } = parseAutomergeUrl(row.rootUrl as AutomergeUrl)
    return !(await localDocuments(this.#db, this.#documents).present([documentId])).has(documentId)
  }

  /**
   * Registers a space learned from a peer (a linked device reads it from the personal space): its root is fetched
   * (waiting until a peer sends it; `signal` stops the wait with `Aborted`) and checked like an imported file's root
   * before the space is registered or opened. A refused root is `SpaceRefused` and leaves nothing stored (a document
   * fetched for it is removed; one that was here before is left as it was). A space already here is opened as it is.
   * The root is saved before the space is registered; a refused save is the adoption's error, and nothing registered.
   */
  async adoptSpace(
    {
      identity,
      spaceId,
      rootUrl,
      personal = false,
    }: { identity: PublicKey; spaceId: SpaceId; rootUrl: AutomergeUrl; personal?: boolean },
    { signal }: { signal?: AbortSignal | undefined } = {},
  ): Promise<Result<Space, SpaceRefused | Aborted | StorageQuotaExceeded | StorageFailed>> {
    const known = await getSpace(this.#db, spaceId)
    if (known !== undefined) {
      const opened = await this.openSpace(spaceId)
      if (opened.ok) return opened
    }
    if (!/^[0-9a-f]{64}$/.test(spaceId) || !isValidAutomergeUrl(rootUrl)) {
      return err(new SpaceRefused(spaceId, 'malformed space id or root URL', 'malformed'))
    }
    const local = localDocuments(this.#db, this.#documents)
    const { documentId } = parseAutomergeUrl(rootUrl)
    await this.#documentSpaces.load()
    const placed = this.#documentSpaces.placement(documentId)
    if ((placed !== undefined && placed !== spaceId) || (await local.ofOtherSpaces(spaceId)).has(documentId)) {
      return err(new SpaceRefused(spaceId, 'its root is a document of another space here', 'taken'))
    }
    const wasHere = (await local.present([documentId])).has(documentId)
    let root: DocHandle<SpaceDoc>
    try {
      root = await this.#documents.find<SpaceDoc>(rootUrl, {
        ...(signal === undefined ? {} : { signal }),
        allowableStates: ['ready', 'unavailable'],
      })
      await untilReady(root, signal)
    } catch (error) {
      if (!wasHere) this.#documents.remove(documentId)
      if (error instanceof Aborted) return err(error)
      throw error
    }
    const refused = refusalOf(root.doc(), spaceId) ?? membershipRefusalOf(root.doc(), spaceId, identity, personal)
    if (refused !== undefined) {
      if (!wasHere) this.#documents.remove(documentId)
      return err(refused)
    }
    // The root is on disk before the row: a row without it (the page closed before the save's delay) names a space
    // this device cannot open until the mesh sees its root missing and adopts it again.
    const saved = await this.#documents.flush()
    if (!saved.ok) return saved
    // Personal only when the caller says so (it learned the id over the authenticated link), never from the root.
    const isPersonal = personal && !(await spacesOf(this.#db, identity)).some((row) => row.personal === 1)
    const name = spaceNameIn(toPlain(root.doc().name), MAX_SPACE_NAME_LENGTH)
    const row = { id: spaceId, rootUrl, identity, archived: 0 as const, createdAt: this.clock.now() }
    const fresh: SpaceRow = { ...row, name, personal: isPersonal ? 1 : 0 }
    // A row that was here (its root was not) keeps what this device chose for it: its name, archive and kind.
    const begunBefore = this.#open.get(spaceId)
    await putSpace(this.#db, known === undefined ? fresh : { ...known, rootUrl, identity })
    // An opening begun once the row was written (the client opens every space its list shows) is kept: a second
    // Space would load, index and follow the same documents again. One begun before read no row, or the old one.
    if (this.#open.get(spaceId) === begunBefore) this.#open.delete(spaceId)
    const opened = await this.openSpace(spaceId)
    if (!opened.ok) throw opened.error
    return opened
  }

  /**
   * Takes back an `adoptSpace` whose next step failed (device linking could not store the identity): the registry
   * row, its index and log rows and the documents its root lists leave this device, as if it never came. Only for
   * a space adopted moments ago that nothing else here uses; peers keep their copies.
   */
  async forgetAdopted(spaceId: SpaceId): Promise<Result<void, StorageQuotaExceeded | StorageFailed>> {
    const row = await getSpace(this.#db, spaceId)
    if (row === undefined) return ok(undefined)
    const opened = await this.#open.get(spaceId)
    this.#open.delete(spaceId)
    // A root's fields come from a peer: only valid document ids are taken for ones.
    const documents = opened?.ok === true ? toPlain(spaceInternals(opened.value).root.doc().documents) : undefined
    const listed = typeof documents === 'object' && documents !== null ? Object.keys(documents) : []
    const ids = [parseAutomergeUrl(row.rootUrl as AutomergeUrl).documentId, ...listed.filter(isValidDocumentId)]
    // Nothing more of it is indexed: not its documents' changes, nor its texts still on their way.
    this.#indexer.forgetSpace(spaceId)
    try {
      // What the indexer and the log store still had under way is written first, then taken back with the rest.
      await this.#indexer.settled()
      await this.#logs.settled()
      await this.#rooms.settled()
      await this.#db.spaces.delete(spaceId)
      await clearSpaceIndex(this.#db, spaceId)
      await this.#db.logEntries.where('spaceId').equals(spaceId).delete()
      await this.#db.invitationRooms.where('spaceId').equals(spaceId).delete()
      await this.#documentSpaces.forget(spaceId)
    } catch (error) {
      return err(toStorageError(error))
    }
    for (const id of ids) {
      const removed = await this.#documents.removeStored(id)
      if (!removed.ok) return removed
    }
    return ok(undefined)
  }

  /** Hides a space on this device (or shows it again); nothing is deleted. */
  async archive(id: SpaceId, archived: boolean): Promise<void> {
    await updateSpace(this.#db, id, { archived: archived ? 1 : 0 })
  }

  /** Leaves a space: a signed self-removal in its log, and the space archived here. The last owner cannot leave. */
  async leave(actor: Actor, space: Space): Promise<Result<void, NotAllowed>> {
    if (!can(space.roleOf(actor.identity), 'leave')) return err(new NotAllowed('only a member can leave'))
    const { members } = space.membership.get()
    const owners = members.filter((member) => isTopRole(member.role))
    if (owners.length === 1 && owners[0]?.key === actor.identity) {
      return err(new NotAllowed('the last owner cannot leave; make someone else owner first'))
    }
    const removed = space.remove(actor, actor.identity)
    if (!removed.ok) return removed
    await this.archive(space.id, true)
    return ok(undefined)
  }

  /**
   * The space in one file (all its documents with their history), for `importSpace` here or elsewhere;
   * `SpaceNotAllHere` while documents it lists have not arrived.
   */
  exportSpace(space: Space): Promise<Result<string, SpaceNotAllHere>> {
    const here = localDocuments(this.#db, this.#documents)
    return exportSpaceFile(this.#documents, (ids) => here.present(ids), space.id, spaceInternals(space).root.documentId)
  }

  /**
   * Imports a space file for `actor`: the same documents as exported, merged with
   * any copy already here. The file is decoded and judged (`checkSpaceFile`) before
   * anything is imported, so a refused file changes nothing stored; it touches only
   * documents of its own space.
   */
  async importSpace(
    actor: Actor,
    file: string,
  ): Promise<Result<Space, InvalidSpaceFile | DocumentCorrupt | SpaceFileTooLarge>> {
    const read = readSpaceFile(file)
    if (!read.ok) return read
    const plan = await checkSpaceFile(read.value, localDocuments(this.#db, this.#documents))
    if (!plan.ok) return plan
    const { space: id, root, name, personal } = plan.value
    // A writer of the space's object documents like any other: an epoch in another tab waits for it.
    // Data documents first and the root last: an import that fails part way leaves the root as it was.
    const imports = [
      ...plan.value.imports.filter((doc) => doc.id !== root),
      ...plan.value.imports.filter((doc) => doc.id === root),
    ]
    const merged = await withObjectsLock(this.#locks, id, 'shared', async () => {
      for (const { id: doc, bytes, existing } of imports) {
        // Merged into the copy here, so it must be loaded first, not replaced by the file's copy.
        if (existing) await this.#loadIfHere(doc)
        const imported = this.#documents.importDocument(bytes, doc)
        if (!imported.ok) return imported
      }
      return ok(undefined)
    })
    if (!merged.ok) return merged
    if (plan.value.isNew) {
      const rootUrl = stringifyAutomergeUrl({ documentId: root })
      const row = { id, rootUrl, identity: actor.identity, name, archived: 0 as const, createdAt: this.clock.now() }
      await putSpace(this.#db, { ...row, personal: personal ? 1 : 0 })
      if (!personal) await this.#listInPersonal(actor, [{ spaceId: id, rootUrl }])
    }
    const opened = await this.openSpace(id)
    if (!opened.ok) throw opened.error
    // A space new to this device has no index yet: it is built as its documents load.
    await opened.value.loaded()
    return ok(opened.value)
  }

  /** Loads a document of this device; one lost from storage (unavailable) is left for the file's copy to replace. */
  async #loadIfHere(id: DocumentId): Promise<void> {
    try {
      await this.#documents.find(id)
    } catch {
      // Unavailable: nothing here to merge with, so a backup file can repair the space.
    }
  }

  /** Clears a space's index and rebuilds it from its documents. */
  async rebuildIndex(space: Space): Promise<void> {
    await space.loaded()
    await this.#indexer.settled()
    await clearSpaceIndex(this.#db, space.id)
    this.#indexer.reindexSpace(space.id)
    await this.#indexer.settled()
  }

  /** Resolves when pending index updates are written (not waiting for notes' texts still on their way). */
  settled(): Promise<void> {
    return this.#indexer.settled()
  }

  /**
   * Resolves when every note text asked for so far is here (from storage or a peer, or unavailable for now) and
   * indexed. A big space's texts may take minutes to arrive: nothing a person does waits for this.
   */
  textsSettled(): Promise<void> {
    return this.#indexer.textsSettled()
  }

  /**
   * Writes every changed document and the index now; call it on `pagehide`.
   * A full disk comes back as `StorageQuotaExceeded`; what was saved before stays.
   */
  async flush(): Promise<Result<void, StorageQuotaExceeded | StorageFailed>> {
    const saved = await this.#documents.flush()
    if (!saved.ok) return saved
    // Sync states only spare bytes at the next meeting: one that could not be written is not a failure.
    await this.#syncStates.flush().catch(() => undefined)
    const placeFailure = await this.#documentSpaces.flush()
    if (placeFailure !== undefined) return err(toStorageError(placeFailure))
    const logFailure = await this.#logs.settled()
    const roomFailure = await this.#rooms.settled()
    if (logFailure !== undefined) return err(toStorageError(logFailure))
    if (roomFailure !== undefined) return err(toStorageError(roomFailure))
    await this.#indexer.settled()
    const failure = this.#indexer.failure.get()
    return failure === undefined ? ok(undefined) : err(toStorageError(failure))
  }

  /**
   * Flushes, then stops the repo and closes the database. Safe at any moment: the repo's own startup work
   * (reading or writing its storage id) is waited for, so it never meets a closed database.
   */
  async close(): Promise<Result<void, StorageQuotaExceeded | StorageFailed>> {
    const flushed = await this.flush()
    this.#indexer.close()
    this.#viewerCheck.close()
    this.#documents.close()
    this.#syncStates.close()
    this.#peerSync.close()
    await this.#repo.shutdown().catch(() => undefined)
    await this.#adapter.started
    this.#db.close()
    return flushed
  }

  #space(id: SpaceId, root: DocHandle<SpaceDoc>, holder: PublicKey): Space {
    const context = {
      documents: this.#documents,
      db: this.#db,
      logs: this.#logs,
      rooms: this.#rooms,
      holder,
      indexer: this.#indexer,
      clock: this.clock,
      placement: this.#placement,
      locks: this.#locks,
      otherSpaces: (space: SpaceId) => localDocuments(this.#db, this.#documents).ofOtherSpaces(space),
      owns: (documentId: DocumentId) => this.#documentSpaces.owns(id, documentId),
    }
    // Before the space follows its root: a document a peer's change lists is then known to the access rule by the
    // time the space asks for it, or the request finds no peer to go to and the document is unavailable.
    this.#documentSpaces.follow(id, root)
    const space = new Space(id, root, context)
    // The registry caches the name for the space list; a rename here or by a peer updates it, and so does opening
    // the space (a rename that arrived while it was not open here). A refused write is made again at the next open.
    const keepName = (name: string) => void keepSpaceName(this.#db, id, name).catch(() => undefined)
    space.liveName.subscribe(keepName)
    keepName(space.name)
    return space
  }
}
