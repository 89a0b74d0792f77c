import { Cell, err, ok, type Observable, type Result } from '../base'
import type { Actor, Echo, Space, SpaceId, SpaceRow, StorageEdge } from '../echo'
import { MAX_SPACE_FILE_BYTES, recordDeviceRevocations, SpaceFileTooLarge } from '../echo'
import type { Credential } from '../halo'
import { resolveRevocations } from '../halo'
import { OpenSpace, problemOf } from './space-session'
import type { SpaceProblem, SpaceSession, SpaceSummary, SpacesApi, StorageState } from './spaces-api'

/** The identity's own credentials, which the personal space carries between its devices. */
export interface IdentityRecords {
  readonly credentials: Observable<readonly Credential[]>
  /** Takes credentials from the space; HALO keeps those that verify. */
  receive(values: readonly unknown[]): Promise<unknown>
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

const noIdentity: SpaceProblem = { code: 'no-identity', message: 'Create or restore your identity first.' }

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
  #stop: (() => void) | undefined

  constructor(echo: Promise<Echo>, edge: StorageEdge, locks: Locks) {
    this.#echo = echo
    this.#edge = edge
    this.#locks = locks
    void echo.then((ready) =>
      ready.storageStatus.subscribe((status) => {
        this.#setStorage({ quotaExceeded: status === 'quota-exceeded' })
      }),
    )
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
    this.#stop = () => {
      stopList()
      spaces.close()
      this.#stopRecords?.()
      this.#stopRecords = undefined
    }
    await this.#locks.request(SETUP_LOCK, async () => {
      const health = await echo.health(actor.identity)
      if (health === 'storage-cleared' && !setUpHere) this.#setStorage({ cleared: true })
      else await this.#ensurePersonalSpace(echo, actor)
    })
    this.#attached.resolve(actor)
    await this.#refreshStorage()
  }

  detach(): void {
    this.#stop?.()
    this.#stop = undefined
    this.#actor = undefined
    if (this.#attached.settled) this.#attached = pending<Actor>()
    this.list.set(undefined)
  }

  async create(name: string): Promise<Result<SpaceSummary, SpaceProblem>> {
    const actor = this.#actor
    if (!actor) return err(noIdentity)
    const trimmed = name.trim()
    if (trimmed === '') return err({ code: 'invalid-name', message: 'A space needs a name.' })
    const echo = await this.#echo
    const space = await echo.createSpace(actor, trimmed)
    await this.#requestPersistence()
    return ok({ id: space.id, name: trimmed, personal: false, archived: false, createdAt: echo.clock.now() })
  }

  async open(id: string): Promise<Result<SpaceSession, SpaceProblem>> {
    const actor = await this.#attached.promise
    const echo = await this.#echo
    const opened = await echo.openSpace(id as SpaceId)
    if (!opened.ok) return err(problemOf(opened.error))
    return ok(
      new OpenSpace(opened.value, actor, {
        exportSpace: (space) => echo.exportSpace(space),
        flush: () => echo.flush(),
      }),
    )
  }

  async archive(id: string, archived: boolean): Promise<void> {
    await (await this.#echo).archive(id as SpaceId, archived)
  }

  async importFile(file: Blob): Promise<Result<SpaceSummary, SpaceProblem>> {
    const actor = this.#actor
    if (!actor) return err(noIdentity)
    // Refused before reading: a file is read whole into memory.
    if (file.size > MAX_SPACE_FILE_BYTES) return err(problemOf(new SpaceFileTooLarge(file.size, MAX_SPACE_FILE_BYTES)))
    const echo = await this.#echo
    const imported = await echo.importSpace(actor, await file.text())
    if (!imported.ok) return err(problemOf(imported.error))
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
  }

  async acknowledgeCleared(): Promise<void> {
    const actor = this.#actor
    if (!actor) return
    const echo = await this.#echo
    await this.#ensurePersonalSpace(echo, actor)
    this.#setStorage({ cleared: false })
  }

  async flush(): Promise<void> {
    await (await this.#echo).flush()
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
   * and writes each device revocation that appears into the logs of the
   * identity's spaces, so the revoked device stops counting there too. (Those
   * already there when the identity opened were carried when they appeared.)
   */
  #carryIdentityRecords(echo: Echo, actor: Actor, personal: Space, records: IdentityRecords): void {
    this.#stopRecords?.()
    personal.keepIdentityCredentials(records.credentials.get())
    const revokedOf = (credentials: readonly Credential[]) =>
      [...resolveRevocations(actor.identity, credentials).holding].filter(
        ([device]) => device !== actor.signer.key.publicKey,
      )
    const carried = new Set(revokedOf(records.credentials.get()).map(([device]) => device))
    const stopOut = records.credentials.subscribe((credentials) => {
      personal.keepIdentityCredentials(credentials)
      const fresh = revokedOf(credentials).filter(([device]) => !carried.has(device))
      for (const [device] of fresh) carried.add(device)
      void recordDeviceRevocations(echo, actor, new Map(fresh))
    })
    const arrivals = personal.identityCredentials((values) => void records.receive(values))
    void records.receive(arrivals.now)
    this.#stopRecords = () => {
      stopOut()
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
