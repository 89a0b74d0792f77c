import { Cell, err, ok, type Observable, type Result } from '../base'
import type { SpaceRole } from '../halo'
import {
  can,
  mayChange,
  type SpaceNotAllHere,
  type StorageFailed,
  type StorageQuotaExceeded,
  noteEditorBinding,
  isOrderKey,
  noteReaderBinding,
  orderBetween,
  ordersBetween,
  parseObjectId,
  type Actor,
  type EchoObject,
  type LiveQuery,
  type ObjectId,
  type Space,
  type SpaceAction,
  UndoLog,
} from '../echo'
import { LIMITS } from './limits'
import { attempt, outcome, problem, toProblem, type Problem } from './problem-words'
import { SpaceMemberList, type MemberSources } from './space-members'
import { NO_PRESENCE, spacePresence, type PresenceSources } from './space-presence'
import type {
  LiveList,
  MemberRole,
  MemberView,
  PersonHere,
  NoteEditor,
  NoteView,
  Removal,
  RemoveOptions,
  SpaceSession,
  TaskPlace,
  TaskView,
} from './spaces-api'

/** Without sources (tests of other parts): no profile of our own, nobody online. */
const NO_SOURCES: MemberSources = { profile: new Cell(undefined), online: new Cell(new Map()) }

const noSuchObject = (): Problem => problem('object-not-found')

/** The rule for a task's title, here rather than in ECHO's schema: tasks stored with an empty title stay readable. */
const checkTitle = (title: string): Problem | undefined => {
  if (title.trim() === '') return problem('title-required', 'title')
  if (title.trim().length > LIMITS.taskTitle) return problem('title-too-long', 'title')
  return undefined
}

/** A space's name: not blank, at most `LIMITS.spaceName` characters once trimmed. */
export const checkSpaceName = (name: string): Problem | undefined => {
  if (name.trim() === '') return problem('name-required', 'name')
  if (name.trim().length > LIMITS.spaceName) return problem('name-too-long', 'name')
  return undefined
}

/** Writes what is pending; a refusal (a full disk) is the action's failure. */
export type Flush = () => Promise<Result<void, StorageQuotaExceeded | StorageFailed>>
type ExportSpace = (space: Space) => Promise<Result<string, SpaceNotAllHere>>

const noteView = (object: EchoObject): NoteView | undefined =>
  object.type === 'note' ? { id: object.id, title: object.fields.title, updatedAt: object.updatedAt } : undefined

const taskView = (object: EchoObject): TaskView | undefined =>
  object.type === 'task'
    ? {
        id: object.id,
        title: object.fields.title,
        done: object.fields.done,
        due: object.fields.due,
        note: object.fields.note,
        updatedAt: object.updatedAt,
      }
    : undefined

/**
 * A live query whose objects are mapped to views; objects of another type are left out. A query that
 * failed stays `undefined` and says why in `problem`, so a screen can tell it from one still loading.
 */
const liveList = <T>(query: LiveQuery, view: (object: EchoObject) => T | undefined): LiveList<T> => {
  const map = (): readonly T[] | undefined => {
    const state = query.get()
    if (state.status !== 'ready') return undefined
    return state.objects.flatMap((object) => {
      const mapped = view(object)
      return mapped === undefined ? [] : [mapped]
    })
  }
  const failure = (): Problem | undefined => {
    const state = query.get()
    return state.status === 'failed' ? toProblem(state.error) : undefined
  }
  const list = new Cell(map())
  const problem = new Cell(failure())
  const stop = query.subscribe(() => {
    problem.set(failure())
    list.set(map())
  })
  return {
    get: () => list.get(),
    subscribe: (listener) => list.subscribe(listener),
    problem,
    close: () => {
      stop()
      query.close()
    },
  }
}

/**
 * Whether `role` may do `action` while this device may write at all (`writable`: false once another device removed
 * this one), now and as either changes (listeners hear only real changes).
 */
const allowed = (
  role: Observable<SpaceRole | undefined>,
  action: SpaceAction,
  writable: Observable<boolean>,
): Observable<boolean> => {
  const now = (): boolean => writable.get() && can(role.get(), action)
  return {
    get: now,
    subscribe: (listener) => {
      let last = now()
      const check = (): void => {
        const next = now()
        if (next === last) return
        last = next
        listener(next)
      }
      const stops = [role.subscribe(check), writable.subscribe(check)]
      return () => {
        for (const stop of stops) stop()
      }
    },
  }
}

const INVITABLE: readonly SpaceRole[] = ['admin', 'editor', 'viewer']

/** The roles `role` may invite with, by echo's policy (the personal space has only its owner). */
const invitable = (role: SpaceRole | undefined, personal: boolean): readonly SpaceRole[] =>
  personal || !can(role, 'share') ? [] : INVITABLE.filter((each) => mayChange(role, undefined, each))

const inviteRolesOf = (
  role: Observable<SpaceRole | undefined>,
  personal: boolean,
  writable: Observable<boolean>,
): Observable<readonly SpaceRole[]> => {
  // A device another one removed invites nobody: it reads, never writes.
  const current = (): readonly SpaceRole[] => (writable.get() ? invitable(role.get(), personal) : [])
  return {
    get: current,
    subscribe: (listener) => {
      let last = current().join()
      const check = (): void => {
        const now = current()
        if (now.join() === last) return
        last = now.join()
        listener(now)
      }
      const stops = [role.subscribe(check), writable.subscribe(check)]
      return () => {
        for (const stop of stops) stop()
      }
    },
  }
}

/** An action's result without its value. */
const done = (result: Result<unknown, Problem>): Result<void, Problem> => (result.ok ? ok(undefined) : result)

/** A space's tasks in manual order, and the ids of those a search shows. */
interface TaskOrder {
  readonly all: readonly { readonly id: ObjectId; readonly order: string }[]
  readonly shown: readonly string[]
}

type OrderedTask = TaskOrder['all'][number]

/**
 * The keys that put task `id` at index `at` of the other tasks (`rest`, in order). One new key
 * between its neighbours when they differ. When they share a key (peers or a file gave several
 * tasks the same one, ties sorting by id), no key goes between them, so the whole tied run gets
 * fresh, distinct keys between the nearest different keys around it, in the order it shows with
 * the moved task at its new place. When the keys would be longer than a key may be (a gap halved
 * hundreds of times), the run widens, doubling, until they fit: the whole list always does.
 */
const keysFor = (rest: readonly OrderedTask[], id: ObjectId, at: number): OrderedTask[] => {
  const tie = rest[at - 1]?.order === rest[at]?.order ? rest[at]?.order : undefined
  let start = at
  while (tie !== undefined && start > 0 && rest[start - 1]?.order === tie) start--
  let end = at
  while (tie !== undefined && end < rest.length && rest[end]?.order === tie) end++
  for (;;) {
    const run = [...rest.slice(start, end)]
    run.splice(at - start, 0, { id, order: '' })
    const low = rest[start - 1]?.order
    const high = rest[end]?.order
    const keys = ordersBetween(low, high, run.length)
    const whole = start === 0 && end === rest.length
    if (whole || ((low === undefined || high === undefined || low < high) && keys.every(isOrderKey))) {
      return run.flatMap((task, index) => {
        const order = keys[index]
        return order === undefined || order === task.order ? [] : [{ id: task.id, order }]
      })
    }
    start = Math.max(0, start - run.length)
    end = Math.min(rest.length, end + run.length)
  }
}

/** One open space, acting as the device's identity. */
export class OpenSpace implements SpaceSession {
  readonly id: string
  readonly name: Cell<string>
  readonly personal: boolean
  readonly #space: Space
  readonly #actor: Actor
  readonly #exportSpace: ExportSpace
  readonly #flush: Flush
  readonly #writable: Observable<boolean>
  readonly #stopName: () => void
  /** Whether the actor's role allows writing, by echo's one policy, as the membership changes. */
  readonly canWrite: Observable<boolean>
  readonly canCompact: Observable<boolean>
  readonly inviteRoles: Observable<readonly SpaceRole[]>
  readonly #members: SpaceMemberList
  readonly #presence: ReturnType<typeof spacePresence>

  /** `writable` (always, if not given) turns false once another device removed this one: it reads, never writes. */
  constructor(
    space: Space,
    actor: Actor,
    storage: {
      exportSpace: ExportSpace
      flush: Flush
      writable?: Observable<boolean>
      members?: MemberSources
      presence?: PresenceSources
    },
  ) {
    this.#space = space
    this.#actor = actor
    this.#exportSpace = storage.exportSpace
    this.#flush = storage.flush
    const writable = storage.writable ?? new Cell(true)
    this.#writable = writable
    this.id = space.id
    this.personal = space.personal
    this.name = new Cell(space.name)
    // A rename, here, in another tab or by a peer.
    this.#stopName = space.liveName.subscribe((name) => this.name.set(name))
    const role = space.role(actor.identity)
    this.canWrite = allowed(role, 'write', writable)
    this.canCompact = allowed(role, 'compact', writable)
    this.inviteRoles = inviteRolesOf(role, space.personal, writable)
    this.#members = new SpaceMemberList(
      space,
      actor,
      storage.members ?? NO_SOURCES,
      async () => {
        const flushed = await this.#flush()
        return flushed.ok ? ok(undefined) : err(toProblem(flushed.error))
      },
      writable,
    )
    this.#presence = spacePresence(this.#members.members, storage.presence ?? NO_PRESENCE)
  }

  get presence(): Observable<readonly PersonHere[]> {
    return this.#presence.people
  }

  openedBy(objectId: string): Observable<readonly PersonHere[]> {
    return this.#presence.openedBy(objectId)
  }

  opening(objectId: string): () => void {
    return this.#presence.open(objectId)
  }

  get members(): Observable<readonly MemberView[]> {
    return this.#members.members
  }

  get removal(): Observable<Removal | undefined> {
    return this.#members.removal
  }

  setRole(identity: string, role: MemberRole): Promise<Result<void, Problem>> {
    return this.#membersChange(() => this.#members.setRole(identity, role))
  }

  removeMember(identity: string, options: RemoveOptions = {}): Promise<Result<void, Problem>> {
    return this.#membersChange(() => this.#members.removeMember(identity, options.cancelInvitations))
  }

  leave(): Promise<Result<void, Problem>> {
    return this.#membersChange(() => this.#members.leave())
  }

  /** A device removed from its identity signs nothing, not even a membership change. */
  #membersChange(change: () => Promise<Result<void, Problem>>): Promise<Result<void, Problem>> {
    return attempt(() => (this.#writable.get() ? change() : Promise.resolve(err(problem('device-removed')))))
  }

  compactHistory(): Promise<Result<number, Problem>> {
    return attempt(async () => {
      // An epoch keeps its own order on a full disk (echo's CONTEXT.md, "Epochs"): nothing to take back here.
      const epoch = await this.#saved(() => this.#space.createEpoch(this.#actor))
      return epoch.ok ? ok(epoch.value.number) : epoch
    })
  }

  rename(name: string): Promise<Result<void, Problem>> {
    return attempt(async () => {
      const refused = checkSpaceName(name)
      if (refused) return err(refused)
      return done(await this.#saved((undo) => Promise.resolve(this.#space.rename(this.#actor, name.trim(), undo))))
    })
  }

  notes(search: string): LiveList<NoteView> {
    const text = search.trim()
    return liveList(
      this.#space.query({ type: 'note', sort: { by: 'updatedAt', direction: 'desc' }, ...(text ? { text } : {}) }),
      noteView,
    )
  }

  tasks(search: string): LiveList<TaskView> {
    const text = search.trim()
    return liveList(this.#space.query({ type: 'task', sort: { by: 'order' }, ...(text ? { text } : {}) }), taskView)
  }

  createNote(title: string): Promise<Result<string, Problem>> {
    return attempt(async () => {
      if (title.trim().length > LIMITS.noteTitle) return err(problem('title-too-long', 'title'))
      const created = await this.#saved((undo) => this.#space.createNote(this.#actor, title.trim(), '', undo))
      return created.ok ? ok(created.value.id) : created
    })
  }

  renameNote(id: string, title: string): Promise<Result<void, Problem>> {
    return attempt(async () => {
      const objectId = parseObjectId(id)
      if (!objectId) return err(noSuchObject())
      if (title.length > LIMITS.noteTitle) return err(problem('title-too-long', 'title'))
      return done(await this.#saved((undo) => this.#space.update(this.#actor, objectId, 'note', { title }, undo)))
    })
  }

  noteEditor(id: string): Promise<Result<NoteEditor, Problem>> {
    return attempt(async () => {
      const objectId = parseObjectId(id)
      if (!objectId) return err(noSuchObject())
      // Only a member who may write gets the document's writable handle; the binding follows the role.
      if (!this.canWrite.get()) {
        const reader = await this.#space.noteReader(objectId)
        if (!reader.ok) return outcome(reader)
        return ok({ ...(await noteReaderBinding(reader.value)), readOnly: true })
      }
      const text = await this.#space.noteText(this.#actor, objectId)
      if (!text.ok) return outcome(text)
      return ok({ ...(await noteEditorBinding(text.value, this.canWrite)), readOnly: false })
    })
  }

  createTask(title: string, options: { due?: string; note?: string } = {}): Promise<Result<string, Problem>> {
    return attempt(async () => {
      const refused = checkTitle(title)
      if (refused) return err(refused)
      const { due } = options
      const note = options.note === undefined ? undefined : parseObjectId(options.note)
      if (options.note !== undefined && note === undefined) return err(noSuchObject())
      const last = await this.#lastTaskOrder()
      const fields = {
        title: title.trim(),
        done: false,
        order: orderBetween(last, undefined),
        ...(due ? { due } : {}),
        ...(note ? { note } : {}),
      }
      const saved = await this.#saved((undo) => this.#space.create(this.#actor, 'task', fields, undo))
      return saved.ok ? ok(saved.value.id) : saved
    })
  }

  updateTask(
    id: string,
    patch: { title?: string; done?: boolean; due?: string | null },
  ): Promise<Result<void, Problem>> {
    return attempt(async () => {
      const objectId = parseObjectId(id)
      if (!objectId) return err(noSuchObject())
      const refused = patch.title === undefined ? undefined : checkTitle(patch.title)
      if (refused) return err(refused)
      const fields = {
        ...(patch.title === undefined ? {} : { title: patch.title.trim() }),
        ...(patch.done === undefined ? {} : { done: patch.done }),
        ...(patch.due === undefined ? {} : { due: patch.due ?? undefined }),
      }
      return done(await this.#saved((undo) => this.#space.update(this.#actor, objectId, 'task', fields, undo)))
    })
  }

  moveTask(
    id: string,
    direction: 'up' | 'down',
    options: { search?: string } = {},
  ): Promise<Result<TaskPlace, Problem>> {
    return attempt(async () => {
      const tasks = await this.#taskOrder(options.search)
      const index = tasks.shown.indexOf(id)
      if (index < 0) return err(noSuchObject())
      // Past the neighbour the person sees: with a search, the tasks it hides keep their places.
      const passed = tasks.shown[direction === 'up' ? index - 1 : index + 1]
      if (passed === undefined) return ok({ moved: false, position: index + 1, count: tasks.shown.length })
      const rest = tasks.all.filter((task) => task.id !== id)
      return this.#placeTask(id, tasks, rest.findIndex((task) => task.id === passed) + (direction === 'up' ? 0 : 1))
    })
  }

  moveTaskBefore(
    id: string,
    target: string | undefined,
    options: { search?: string } = {},
  ): Promise<Result<TaskPlace, Problem>> {
    return attempt(async () => {
      const tasks = await this.#taskOrder(options.search)
      const rest = tasks.all.filter((task) => task.id !== id)
      // Before itself is where it is: as many tasks before it as it has now.
      const at =
        target === undefined
          ? rest.length
          : target === id
            ? tasks.all.findIndex((task) => task.id === id)
            : rest.findIndex((task) => task.id === target)
      if (rest.length === tasks.all.length || at < 0) return err(noSuchObject())
      return this.#placeTask(id, tasks, at)
    })
  }

  /**
   * Every task of the space in its manual order, with its order key, and the ids a search shows
   * (all of them without one): a move is computed on the whole order, never on what a screen shows.
   */
  async #taskOrder(search = ''): Promise<TaskOrder> {
    const inOrder = (objects: readonly EchoObject[]) =>
      objects.flatMap((object) => (object.type === 'task' ? [{ id: object.id, order: object.fields.order }] : []))
    const all = inOrder(await this.#space.find({ type: 'task', sort: { by: 'order' } }))
    const text = search.trim()
    if (text === '') return { all, shown: all.map((task) => task.id) }
    const found = inOrder(await this.#space.find({ type: 'task', sort: { by: 'order' }, text }))
    const matching = new Set(found.map((task) => task.id))
    return { all, shown: all.filter((task) => matching.has(task.id)).map((task) => task.id) }
  }

  /** Puts task `id` at index `at` of the other tasks; its place then among the tasks shown. */
  async #placeTask(id: string, tasks: TaskOrder, at: number): Promise<Result<TaskPlace, Problem>> {
    const objectId = parseObjectId(id)
    if (!objectId) return err(noSuchObject())
    const rest = tasks.all.filter((task) => task.id !== id)
    const placed = [...rest.slice(0, at).map((task) => task.id), id, ...rest.slice(at).map((task) => task.id)]
    const shown = new Set(tasks.shown)
    const place = { position: placed.filter((task) => shown.has(task)).indexOf(id) + 1, count: tasks.shown.length }
    if (placed.join() === tasks.all.map((task) => task.id).join()) return ok({ moved: false, ...place })
    // One undo log for every key the move writes: a refused write or flush takes them all back.
    const saved = await this.#saved(async (undo) => {
      for (const change of keysFor(rest, objectId, at)) {
        const updated = await this.#space.update(this.#actor, change.id, 'task', { order: change.order }, undo)
        if (!updated.ok) {
          await this.#space.undo(undo)
          return updated
        }
      }
      return ok(undefined)
    })
    return saved.ok ? ok({ moved: true, ...place }) : saved
  }

  remove(id: string): Promise<Result<void, Problem>> {
    return attempt(async () => {
      const objectId = parseObjectId(id)
      if (!objectId) return err(noSuchObject())
      return done(await this.#saved((undo) => this.#space.delete(this.#actor, objectId, undo)))
    })
  }

  restore(id: string): Promise<Result<void, Problem>> {
    return attempt(async () => {
      const objectId = parseObjectId(id)
      if (!objectId) return err(noSuchObject())
      return done(await this.#saved((undo) => this.#space.restore(this.#actor, objectId, undo)))
    })
  }

  exportFile(): Promise<Result<{ readonly fileName: string; readonly blob: Blob }, Problem>> {
    return attempt(async () => {
      const file = await this.#exportSpace(this.#space)
      if (!file.ok) return outcome(file)
      const slug =
        this.#space.name
          .toLowerCase()
          .replace(/[^\p{L}\p{N}]+/gu, '-')
          .replace(/^-+|-+$/g, '') || 'space'
      return ok({ fileName: `${slug}.commonplace.json`, blob: new Blob([file.value], { type: 'application/json' }) })
    })
  }

  noteMarkdown(id: string): Promise<Result<{ readonly fileName: string; readonly blob: Blob }, Problem>> {
    return attempt(async () => {
      const objectId: ObjectId | undefined = parseObjectId(id)
      if (!objectId) return err(noSuchObject())
      const file = await this.#space.noteMarkdown(objectId)
      if (!file.ok) return outcome(file)
      return ok({ fileName: file.value.fileName, blob: new Blob([file.value.markdown], { type: 'text/markdown' }) })
    })
  }

  /**
   * A change the person made is on disk before the action reports success: a reload right after keeps
   * it. A save the browser refused (a full disk) is the action's failure, and the change is taken back
   * in the page, so the list, the document and (once a later save gets through) storage all say it
   * was not made, as the words do.
   */
  async #saved<T>(write: (undo: UndoLog) => Promise<Result<T, unknown>>): Promise<Result<T, Problem>> {
    if (!this.#writable.get()) return err(problem('device-removed'))
    const undo = new UndoLog()
    const result = await write(undo)
    if (!result.ok) return outcome(result)
    const flushed = await this.#flush()
    if (flushed.ok) return result
    await this.#space.undo(undo)
    return err(toProblem(flushed.error))
  }

  close(): void {
    this.#stopName()
    this.#members.close()
  }

  async #lastTaskOrder(): Promise<string | undefined> {
    const [last] = await this.#space.find({
      type: 'task',
      sort: { by: 'order', direction: 'desc' },
      limit: 1,
      deleted: 'include',
    })
    return last?.type === 'task' ? last.fields.order : undefined
  }
}
