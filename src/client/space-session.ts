import { Cell, err, ok, type Observable, type Result } from '../base'
import type { SpaceRole } from '../halo'
import {
  can,
  noteEditorBinding,
  orderBetween,
  parseObjectId,
  type Actor,
  type EchoObject,
  type LiveQuery,
  type ObjectId,
  type Space,
  type SpaceAction,
} from '../echo'
import { spaceProblem } from './problem-words'
import type { LiveList, NoteEditor, NoteView, SpaceProblem, SpaceSession, TaskPlace, TaskView } from './spaces-api'

/** A refused space action as the person reads it: words chosen by code, never the error's own text. */
export const problemOf = (error: { code: string }): SpaceProblem => spaceProblem(error)

const noSuchObject = (): SpaceProblem => spaceProblem({ code: 'object-not-found' })

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

/** A live query whose objects are mapped to views; objects of another type are left out. */
const liveList = <T>(query: LiveQuery, view: (object: EchoObject) => T | undefined): LiveList<T> => {
  const map = (): readonly T[] | undefined => {
    const state = query.get()
    if (state.status !== 'ready') return undefined
    return state.objects.flatMap((object) => {
      const mapped = view(object)
      return mapped === undefined ? [] : [mapped]
    })
  }
  const list = new Cell(map())
  const stop = query.subscribe(() => {
    list.set(map())
  })
  return {
    get: () => list.get(),
    subscribe: (listener) => list.subscribe(listener),
    close: () => {
      stop()
      query.close()
    },
  }
}

const outcome = (result: Result<unknown, { code: string; message: string }>): Result<void, SpaceProblem> =>
  result.ok ? ok(undefined) : err(problemOf(result.error))

/** A space's tasks in manual order, and the ids of those a search shows. */
interface TaskOrder {
  readonly all: readonly { readonly id: string; readonly order: string }[]
  readonly shown: readonly string[]
}

/** One open space, acting as the device's identity. */
export class OpenSpace implements SpaceSession {
  readonly id: string
  readonly name: Cell<string>
  readonly personal: boolean
  readonly #space: Space
  readonly #actor: Actor
  readonly #exportSpace: (space: Space) => Promise<string>
  readonly #flush: () => Promise<unknown>
  readonly #stopName: () => void
  /** The actor's role here, as the membership changes; `can` says what it allows. */
  readonly #role: Observable<SpaceRole | undefined>

  constructor(
    space: Space,
    actor: Actor,
    storage: { exportSpace: (space: Space) => Promise<string>; flush: () => Promise<unknown> },
  ) {
    this.#space = space
    this.#actor = actor
    this.#exportSpace = storage.exportSpace
    this.#flush = storage.flush
    this.id = space.id
    this.personal = space.personal
    this.name = new Cell(space.name)
    // A rename, here, in another tab or by a peer.
    this.#stopName = space.liveName.subscribe((name) => this.name.set(name))
    this.#role = space.role(actor.identity)
  }

  get canWrite(): boolean {
    return this.#may('write')
  }

  get canCompact(): boolean {
    return this.#may('compact')
  }

  /** What the actor's role allows now, by echo's one policy. */
  #may(action: SpaceAction): boolean {
    return can(this.#role.get(), action)
  }

  async compactHistory(): Promise<Result<number, SpaceProblem>> {
    const epoch = await this.#space.createEpoch(this.#actor)
    if (!epoch.ok) return err(problemOf(epoch.error))
    await this.#flush()
    return ok(epoch.value.number)
  }

  rename(name: string): Result<void, SpaceProblem> {
    const trimmed = name.trim()
    if (trimmed === '') return err({ code: 'invalid-name', message: 'A space needs a name.' })
    const renamed = outcome(this.#space.rename(this.#actor, trimmed))
    if (renamed.ok) void this.#flush()
    return renamed
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

  async createNote(title: string): Promise<Result<string, SpaceProblem>> {
    const created = await this.#space.createNote(this.#actor, title.trim())
    if (!created.ok) return err(problemOf(created.error))
    await this.#flush()
    return ok(created.value.id)
  }

  async renameNote(id: string, title: string): Promise<Result<void, SpaceProblem>> {
    const objectId = parseObjectId(id)
    if (!objectId) return err(noSuchObject())
    return this.#saved(await this.#space.update(this.#actor, objectId, 'note', { title }))
  }

  async noteEditor(id: string): Promise<Result<NoteEditor, SpaceProblem>> {
    const objectId = parseObjectId(id)
    if (!objectId) return err(noSuchObject())
    const text = await this.#space.noteText(objectId)
    if (!text.ok) return err(problemOf(text.error))
    return ok(await noteEditorBinding(text.value))
  }

  async createTask(
    title: string,
    options: { due?: string; note?: string } = {},
  ): Promise<Result<string, SpaceProblem>> {
    const { due } = options
    const note = options.note === undefined ? undefined : parseObjectId(options.note)
    if (options.note !== undefined && note === undefined) return err(noSuchObject())
    const last = await this.#lastTaskOrder()
    const created = await this.#space.create(this.#actor, 'task', {
      title: title.trim(),
      done: false,
      order: orderBetween(last, undefined),
      ...(due ? { due } : {}),
      ...(note ? { note } : {}),
    })
    if (!created.ok) return err(problemOf(created.error))
    await this.#flush()
    return ok(created.value.id)
  }

  async updateTask(
    id: string,
    patch: { title?: string; done?: boolean; due?: string | null },
  ): Promise<Result<void, SpaceProblem>> {
    const objectId = parseObjectId(id)
    if (!objectId) return err(noSuchObject())
    return this.#saved(
      await this.#space.update(this.#actor, objectId, 'task', {
        ...(patch.title === undefined ? {} : { title: patch.title.trim() }),
        ...(patch.done === undefined ? {} : { done: patch.done }),
        ...(patch.due === undefined ? {} : { due: patch.due ?? undefined }),
      }),
    )
  }

  async moveTask(
    id: string,
    direction: 'up' | 'down',
    options: { search?: string } = {},
  ): Promise<Result<TaskPlace, SpaceProblem>> {
    const tasks = await this.#taskOrder(options.search)
    const index = tasks.shown.indexOf(id)
    if (index < 0) return err(noSuchObject())
    // Past the neighbour the person sees: with a search, the tasks it hides keep their places.
    const passed = tasks.shown[direction === 'up' ? index - 1 : index + 1]
    if (passed === undefined) return ok({ moved: false, position: index + 1, count: tasks.shown.length })
    const rest = tasks.all.filter((task) => task.id !== id)
    return this.#placeTask(id, tasks, rest.findIndex((task) => task.id === passed) + (direction === 'up' ? 0 : 1))
  }

  async moveTaskBefore(
    id: string,
    target: string | undefined,
    options: { search?: string } = {},
  ): Promise<Result<TaskPlace, SpaceProblem>> {
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
  async #placeTask(id: string, tasks: TaskOrder, at: number): Promise<Result<TaskPlace, SpaceProblem>> {
    const objectId = parseObjectId(id)
    if (!objectId) return err(noSuchObject())
    const rest = tasks.all.filter((task) => task.id !== id)
    const placed = [...rest.slice(0, at).map((task) => task.id), id, ...rest.slice(at).map((task) => task.id)]
    const shown = new Set(tasks.shown)
    const place = { position: placed.filter((task) => shown.has(task)).indexOf(id) + 1, count: tasks.shown.length }
    if (placed.join() === tasks.all.map((task) => task.id).join()) return ok({ moved: false, ...place })
    const order = orderBetween(rest[at - 1]?.order, rest[at]?.order)
    const saved = await this.#saved(await this.#space.update(this.#actor, objectId, 'task', { order }))
    return saved.ok ? ok({ moved: true, ...place }) : saved
  }

  async remove(id: string): Promise<Result<void, SpaceProblem>> {
    const objectId = parseObjectId(id)
    if (!objectId) return err(noSuchObject())
    return this.#saved(await this.#space.delete(this.#actor, objectId))
  }

  async restore(id: string): Promise<Result<void, SpaceProblem>> {
    const objectId = parseObjectId(id)
    if (!objectId) return err(noSuchObject())
    return this.#saved(await this.#space.restore(this.#actor, objectId))
  }

  async exportFile(): Promise<{ readonly fileName: string; readonly blob: Blob }> {
    const file = await this.#exportSpace(this.#space)
    const slug =
      this.#space.name
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, '-')
        .replace(/^-+|-+$/g, '') || 'space'
    return { fileName: `${slug}.commonplace.json`, blob: new Blob([file], { type: 'application/json' }) }
  }

  async noteMarkdown(id: string): Promise<Result<{ readonly fileName: string; readonly blob: Blob }, SpaceProblem>> {
    const objectId: ObjectId | undefined = parseObjectId(id)
    if (!objectId) return err(noSuchObject())
    const file = await this.#space.noteMarkdown(objectId)
    if (!file.ok) return err(problemOf(file.error))
    return ok({ fileName: file.value.fileName, blob: new Blob([file.value.markdown], { type: 'text/markdown' }) })
  }

  /** A change the person made is on disk before the action reports success: a reload right after keeps it. */
  async #saved(result: Result<unknown, { code: string; message: string }>): Promise<Result<void, SpaceProblem>> {
    if (result.ok) await this.#flush()
    return outcome(result)
  }

  close(): void {
    this.#stopName()
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
