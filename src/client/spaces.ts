import { Cell, err, ok, type Observable, type Result } from '../base'
import type { Actor, Echo, Space, SpaceId, SpaceRow, StorageEdge } from '../echo'
import { carryDeviceRevocations, MAX_SPACE_FILE_BYTES, SpaceFileTooLarge } from '../echo'
import type { Credential } from '../halo'
import type { MeshStatus } from '../mesh'
import type { PresenceChannel } from './presence-channel'
import { presenceIn } from './space-presence'
import { memberSources } from './member-sources'
import { attempt, outcome, problem, toProblem, type Problem } from './problem-words'
import { checkSpaceName, OpenSpace } from './space-session'
import type { SpaceSession, SpaceSummary, SpacesApi, StorageState } from './spaces-api'

/** The identity's own credentials, which the personal space carries between its devices. */
export interface IdentityRecords {
  readonly credentials: Observable<readonly Credential[]>
  /** Takes credentials from the space; HALO keeps those that verify. */
  receive(values: readonly unknown[]): Promise<unknown>
  /** Another device removed this one (HALO's `removed`, read as the credentials change): nothing is written then. */
  readonly removed: boolean
}

/** The part of `navigator.locks` used here, so tests can pass their own. */
export type Locks = Pick<LockManager, 'request'>

/** One tab at a time decides whether this device's spaces are missing and makes the personal space. */
const SETUP_LOCK = 'commonplace/echo/setup'

const summaryOf = (row: SpaceRow): SpaceSummary => ({
  id: row.id,
  name: row.name,
  personal: row.personal === 1,
  archived: row.archived === 1,
  createdAt: row.createdAt,
})

interface Pending<T> {
  readonly promise: Promise<T>
  readonly resolve: (value: T) => void
  readonly settled: boolean
}

const pending = <T>(): Pending<T> => {
  let resolve: (value: T) => void = () => undefined
  let settled = false
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return {
    promise,
    resolve: (value) => {
      settled = true
      resolve(value)
    },
    get settled() {
      return settled
    },
  }
}

/** `promise`, or an `aborted` refusal as soon as `signal` aborts; the work itself goes on for other callers. */
const unlessAborted = <T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<Result<T, Problem>> => {
  if (signal === undefined) return promise.then(ok)
  if (signal.aborted) return Promise.resolve(err(problem('aborted')))
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      resolve(err(problem('aborted')))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(ok(value))
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}

/**
 * The spaces part of the client: the identity's spaces on this device, the
 * health of storage, and opening spaces for work.
 */
export class SpacesService implements SpacesApi {
  readonly list = new Cell<readonly SpaceSummary[] | undefined>(undefined)
  readonly storage = new Cell<StorageState>({
    persisted: undefined,
    quotaExceeded: false,
    cleared: false,
    usage: undefined,
  })
  readonly #echo: Promise<Echo>
  readonly #edge: StorageEdge
  readonly #locks: Locks
  #actor: Actor | undefined
  #records: IdentityRecords | undefined
  #stopRecords: (() => void) | undefined
  /** Resolves once an identity is attached, so a space opened on load waits instead of failing. */
  #attached = pending<Actor>()
  /** False while the attached identity's device is removed: its spaces stay readable and nothing is written. */
  readonly #writable = new Cell(true)
  #stop: (() => void) | undefined
  /** The leader's sync status: who is connected in each space's room (none until the mesh is followed). */
  #presence: PresenceChannel | undefined
  #peers: Observable<MeshStatus> = new Cell<MeshStatus>({ overall: 'connecting', spaces: {} })
  readonly #stopStatus: Promise<() => void>

  constructor(echo: Promise<Echo>, edge: StorageEdge, locks: Locks) {
    this.#echo = echo
    this.#edge = edge
    this.#locks = locks
    this.#stopStatus = echo.then((ready) =>
      ready.storageStatus.subscribe((status) => {
        this.#setStorage({ quotaExceeded: status === 'quota-exceeded' })
      }),
    )
  }

  /** Follows the mesh's status, whose connected peers the Members panel shows as online. */
  followPeers(status: Observable<MeshStatus>): void {
    this.#peers = status
  }

  /** Follows the tabs' presence channel: who is here in each space, and what this tab has open. */
  followPresence(channel: PresenceChannel): void {
    this.#presence = channel
  }

  /** Stops following the spaces and storage; echo itself is closed by the client. */
  async close(): Promise<void> {
    this.detach()
    ;(await this.#stopStatus)()
  }

  /**
   * Follows `actor`'s spaces. An identity set up here gets its personal space;
   * one that was already here but has no spaces lost them (the browser cleared
   * storage): that is reported, and nothing is created until the person says so.
   */
  async attach(actor: Actor, records: IdentityRecords, setUpHere: boolean): Promise<void> {
    const echo = await this.#echo
    this.#stop?.()
    this.#actor = actor
    this.#records = records
    const spaces = echo.spaces(actor.identity)
    const stopList = spaces.subscribe((rows) => {
      this.list.set(rows?.map(summaryOf))
    })
    // Removed while open: stop carrying records (each would be a write), and every session turns read-only.
    const follow = (): void => {
      this.#writable.set(!records.removed)
      if (!records.removed) return
      this.#stopRecords?.()
      this.#stopRecords = undefined
    }
    follow()
    const stopRemoved = records.credentials.subscribe(follow)
    this.#stop = () => {
      stopList()
      stopRemoved()
      spaces.close()
      this.#stopRecords?.()
      this.#stopRecords = undefined
    }
    await this.#locks.request(SETUP_LOCK, async () => {
      const health = await echo.health(actor.identity)
      if (health === 'storage-cleared' && !setUpHere) this.#setStorage({ cleared: true })
      // A removed device makes nothing: not even a personal space it lacks.
      else if (this.#writable.get()) await this.#ensurePersonalSpace(echo, actor)
    })
    this.#attached.resolve(actor)
    await this.#refreshStorage()
  }

  detach(): void {
    this.#stop?.()
    this.#stop = undefined
    this.#actor = undefined
    this.#writable.set(true)
    if (this.#attached.settled) this.#attached = pending<Actor>()
    this.list.set(undefined)
  }

  create(name: string): Promise<Result<SpaceSummary, Problem>> {
    return attempt(async () => {
      const actor = this.#writer()
      if (!actor.ok) return actor
      const refused = checkSpaceName(name)
      if (refused) return err(refused)
      const trimmed = name.trim()
      const echo = await this.#echo
      const space = await echo.createSpace(actor.value, trimmed)
      const flushed = await echo.flush()
      if (!flushed.ok) return outcome(flushed)
      await this.#requestPersistence()
      return ok({ id: space.id, name: trimmed, personal: false, archived: false, createdAt: echo.clock.now() })
    })
  }

  open(id: string, options: { readonly signal?: AbortSignal } = {}): Promise<Result<SpaceSession, Problem>> {
    return attempt(async () => {
      const { signal } = options
      const actor = await unlessAborted(this.#attached.promise, signal)
      if (!actor.ok) return actor
      const echo = await this.#echo
      const opened = await unlessAborted(echo.openSpace(id as SpaceId), signal)
      if (!opened.ok) return opened
      if (!opened.value.ok) return outcome(opened.value)
      return ok(
        new OpenSpace(opened.value.value, actor.value, {
          exportSpace: (space) => echo.exportSpace(space),
          flush: () => echo.flush(),
          writable: this.#writable,
          ...(this.#presence === undefined ? {} : { presence: presenceIn(this.#presence, id) }),
          ...(this.#records === undefined
            ? {}
            : {
                members: memberSources(id, actor.value.identity, this.#records.credentials, this.#peers),
              }),
        }),
      )
    })
  }

  archive(id: string, archived: boolean): Promise<Result<void, Problem>> {
    return attempt(async () => {
      if (!this.#writable.get()) return err(problem('device-removed'))
      await (await this.#echo).archive(id as SpaceId, archived)
      return ok(undefined)
    })
  }

  importFile(file: Blob): Promise<Result<SpaceSummary, Problem>> {
    return attempt(async () => {
      const actor = this.#writer()
      if (!actor.ok) return actor
      // Refused before reading: a file is read whole into memory.
      if (file.size > MAX_SPACE_FILE_BYTES)
        return err(toProblem(new SpaceFileTooLarge(file.size, MAX_SPACE_FILE_BYTES)))
      const echo = await this.#echo
      const imported = await echo.importSpace(actor.value, await file.text())
      if (!imported.ok) return outcome(imported)
      const flushed = await echo.flush()
      if (!flushed.ok) return outcome(flushed)
      const space = imported.value
      this.#setStorage({ cleared: false })
      await this.#requestPersistence()
      return ok({
        id: space.id,
        name: space.name,
        personal: space.personal,
        archived: false,
        createdAt: echo.clock.now(),
      })
    })
  }

  acknowledgeCleared(): Promise<Result<void, Problem>> {
    return attempt(async () => {
      const actor = this.#writer()
      if (!actor.ok) return actor
      const echo = await this.#echo
      await this.#ensurePersonalSpace(echo, actor.value)
      const flushed = await echo.flush()
      if (!flushed.ok) return outcome(flushed)
      this.#setStorage({ cleared: false })
      return ok(undefined)
    })
  }

  flush(): Promise<Result<void, Problem>> {
    return attempt(async () => outcome(await (await this.#echo).flush()))
  }

  /** The attached identity, when this device may write for it. */
  #writer(): Result<Actor, Problem> {
    if (!this.#actor) return err(problem('no-identity'))
    return this.#writable.get() ? ok(this.#actor) : err(problem('device-removed'))
  }

  async #ensurePersonalSpace(echo: Echo, actor: Actor): Promise<void> {
    const had = (await echo.listSpaces(actor.identity)).length > 0
    const personal = await echo.personalSpace(actor)
    if (this.#records) this.#carryIdentityRecords(echo, actor, personal, this.#records)
    // The first space is when keeping data starts to matter: ask the browser not to evict it.
    if (!had) await this.#requestPersistence()
  }

  /**
   * Keeps HALO's credentials and the personal space's copy in step, both ways,
   * and carries HALO's device revocations into the logs of the identity's
   * spaces (ECHO's `carryDeviceRevocations`), so a revoked device stops counting
   * there too.
   */
  #carryIdentityRecords(echo: Echo, actor: Actor, personal: Space, records: IdentityRecords): void {
    this.#stopRecords?.()
    personal.keepIdentityCredentials(records.credentials.get())
    const stopOut = records.credentials.subscribe((credentials) => {
      if (!records.removed) personal.keepIdentityCredentials(credentials)
    })
    // The removal arrives as credentials: the listener that stops this may run after the others heard of it.
    const whileWritable: Observable<readonly Credential[]> = {
      get: () => records.credentials.get(),
      subscribe: (listener) =>
        records.credentials.subscribe((credentials) => {
          if (!records.removed) listener(credentials)
        }),
    }
    const revocations = carryDeviceRevocations(echo, actor, whileWritable)
    const arrivals = personal.identityCredentials((values) => void records.receive(values))
    void records.receive(arrivals.now)
    this.#stopRecords = () => {
      stopOut()
      revocations.stop()
      arrivals.stop()
    }
  }

  async #requestPersistence(): Promise<void> {
    if (this.storage.get().persisted === true) return
    const persisted = await this.#edge.persist().catch(() => false)
    this.#setStorage({ persisted })
  }

  async #refreshStorage(): Promise<void> {
    const [persisted, estimate] = await Promise.all([
      this.#edge.persisted().catch(() => undefined),
      this.#edge.estimate().catch(() => undefined),
    ])
    this.#setStorage({
      persisted,
      usage: estimate === undefined ? undefined : { used: estimate.usage, quota: estimate.quota },
    })
  }

  #setStorage(change: Partial<StorageState>): void {
    this.storage.set({ ...this.storage.get(), ...change })
  }
}
