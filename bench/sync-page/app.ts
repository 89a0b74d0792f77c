/**
 * The app side of the sync bench: the real client in this page (real Trystero,
 * the local signal worker, no ICE servers). A laptop creates an identity (and,
 * if asked, a space of many objects built through ECHO directly, as an import
 * would); a fresh phone is linked to it through `client.devices` as a person
 * does it (a link offered on the laptop, read and joined on the phone with its
 * name, Allow on the laptop), then the bench times what the phone's client
 * shows.
 */
import wasmUrl from '@automerge/automerge/automerge.wasm?url'
import { browserEdges, createClient } from '../../src/client/index.ts'
import type { Client, JoinState, LinkOffer, OfferState, SpaceSession } from '../../src/client/index.ts'
import { buildSpace, storedIdentity, TEXT_WORD } from './build-space.ts'
import { LongTasks, type TaskOver } from './long-tasks.ts'

/** How long a link may take to list every space before the bench counts it as failed. */
const LINK_LIMIT_MS = 60_000
/**
 * How often the phone searches for the word only note texts hold, to time every text indexed: a search run now
 * and then, as a person does, not a search list kept open all along (a live search of thousands of results is read
 * again after every index write, paced: open all along, it took every text from 51 s to 75 s in this bench).
 */
const TEXT_SEARCH_EVERY_MS = 2_000

let client: Client | undefined
let offer: LinkOffer | undefined
let editTask: { session: SpaceSession; id: string } | undefined
const seenAt = new Map<string, number>()
const progress: Record<string, number> = {}
let longTasks: LongTasks | undefined
let linkStarted = 0

const current = (): Client => {
  if (client === undefined) throw new Error('no client')
  return client
}
const now = (): number => performance.timeOrigin + performance.now()

const useSignal = (signalUrl: string): void => {
  localStorage.setItem(
    'commonplace.mesh-settings',
    JSON.stringify({ signalUrls: [signalUrl], publicRelays: [], iceServers: [] }),
  )
}

const open = async (): Promise<Client> => {
  const opened = createClient({ edges: browserEdges(), automergeWasmUrl: wasmUrl })
  await opened.start()
  client = opened
  return opened
}

/** Resolves with the first value of `source` (now or later) that passes `test`. */
const until = <T>(
  source: { get(): T; subscribe(listener: (value: T) => void): () => void },
  test: (value: T) => boolean,
): Promise<T> =>
  new Promise((resolve) => {
    const first = source.get()
    if (test(first)) {
      resolve(first)
      return
    }
    // Listeners hear changes only, never the current value, so `stop` is set before the first call.
    const stop = source.subscribe((value) => {
      if (!test(value)) return
      stop()
      resolve(value)
    })
  })

const personal = async (): Promise<SpaceSession> => {
  const list = await until(current().spaces.list, (spaces) => spaces?.some((space) => space.personal) === true)
  const id = list?.find((space) => space.personal)?.id
  if (id === undefined) throw new Error('no personal space')
  const session = await current().spaces.open(id)
  if (!session.ok) throw new Error(session.error.code)
  return session.value
}

export const app = {
  /** An identity on this profile, `spaces` small spaces and an optional big one, and a task to edit. */
  async laptop(options: { signalUrl: string; spaces: number; objects: number }): Promise<void> {
    useSignal(options.signalUrl)
    let opened = await open()
    const created = await opened.identity.create({ displayName: 'Ada', avatar: { colour: '#1f5fa8' } }, 'Laptop')
    if (!created.ok) throw new Error(created.error.code)
    if (options.objects > 0) {
      await opened.close()
      await buildSpace(await storedIdentity(), 'Big', options.objects)
      opened = await open()
    }
    for (let i = 0; i < options.spaces; i++) {
      const space = await opened.spaces.create(`Space ${i}`)
      if (!space.ok) throw new Error(space.error.code)
    }
    const session = await personal()
    const id = await session.createTask('edit 0')
    if (!id.ok) throw new Error(id.error.code)
    editTask = { session, id: id.value }
  },

  /**
   * On the laptop: offers a device link through `client.devices`, as Home's Link a device does, and presses
   * Allow as soon as the confirmation code shows (the bench plays the person, with no reading time). Returns
   * the link's URL.
   */
  async offerLink(): Promise<string> {
    offer?.cancel()
    const offered = await current().devices.offerLink()
    if (!offered.ok) throw new Error(`offerLink: ${offered.error.code}`)
    const made = offered.value
    offer = made
    const allowOnConfirm = (state: OfferState): void => {
      if (state.kind === 'confirm') made.allow()
    }
    made.state.subscribe(allowOnConfirm)
    allowOnConfirm(made.state.get())
    return made.url
  },

  /** On the laptop: the current offer's state, to say where a link stopped. */
  offerState: (): string => offer?.state.get().kind ?? 'none',

  /**
   * On a fresh profile: starts the client, opens the link as the join screen does (readLink, join, this
   * device's name once the other device is found), and resolves when `spaces` spaces are listed, with the time
   * since the link was read and each join step's time. Progress on a space named `watch` goes on in the
   * background (see `progress`).
   */
  async link(options: {
    signalUrl: string
    url: string
    name: string
    spaces: number
    watch?: string | undefined
    objects?: number | undefined
  }): Promise<{ ms: number | null; steps: Record<string, number>; join: string; spaces: number; sync: string }> {
    useSignal(options.signalUrl)
    const opened = await open()
    await until(opened.identity.state, (state) => state.kind === 'none')
    longTasks = new LongTasks()
    linkStarted = performance.now()
    const since = (): number => performance.now() - linkStarted
    if (options.watch !== undefined) void watch(opened, options.watch, options.objects ?? 0)
    const invitation = opened.devices.readLink(options.url)
    if (!invitation.ok) throw new Error(`readLink: ${invitation.error.code}`)
    const joined = await opened.devices.join(invitation.value)
    if (!joined.ok) throw new Error(`join: ${joined.error.code}`)
    const join = joined.value
    const steps: Record<string, number> = {}
    const step = (state: JoinState): void => {
      steps[state.kind] ??= since()
      if (state.kind !== 'found') return
      void join.request(options.name).then((asked) => {
        if (!asked.ok) steps[`request refused: ${asked.error.code}`] = since()
      })
    }
    join.state.subscribe(step)
    step(join.state.get())
    const listed = until(opened.spaces.list, (spaces) => (spaces?.length ?? 0) >= options.spaces).then(since)
    const ms = await Promise.race([listed, new Promise<null>((resolve) => setTimeout(resolve, LINK_LIMIT_MS, null))])
    return {
      ms,
      steps,
      join: join.state.get().kind,
      spaces: opened.spaces.list.get()?.length ?? 0,
      sync: opened.sync.overall.get().kind,
    }
  },

  /** Milliseconds since the link for each step seen so far, and the longest main-thread task then. */
  progress(): Record<string, number> {
    return { ...progress }
  },

  /** Stops the long-task observer; the longest task since the link was opened, and each over 200 ms. */
  longestTask(): { longestTaskMs: number; longTasks: number; tasksOver200Ms: TaskOver[] } {
    return longTasks?.stop() ?? { longestTaskMs: 0, longTasks: 0, tasksOver200Ms: [] }
  },

  /** On the laptop: the space named `name` as a space file (every document with its history), for the baseline. */
  async exportSpace(name: string): Promise<string> {
    const id = current()
      .spaces.list.get()
      ?.find((space) => space.name === name)?.id
    if (id === undefined) throw new Error(`no space ${name}`)
    const session = await current().spaces.open(id)
    if (!session.ok) throw new Error(session.error.code)
    const file = await session.value.exportFile()
    session.value.close()
    if (!file.ok) throw new Error(file.error.code)
    return file.value.blob.text()
  },

  /** On the phone: every title its client's task list shows, with when it first showed it (epoch ms). */
  async watchEdits(): Promise<void> {
    const session = await personal()
    const tasks = session.tasks('')
    tasks.subscribe((list) => {
      const at = now()
      for (const task of list ?? []) if (!seenAt.has(task.title)) seenAt.set(task.title, at)
    })
    await until(tasks, (list) => list?.some((task) => task.title.startsWith('edit')) === true)
  },

  /** On the laptop: renames the task; returns when (epoch ms) the edit started. */
  async edit(title: string): Promise<number> {
    if (editTask === undefined) throw new Error('laptop first')
    const at = now()
    const updated = await editTask.session.updateTask(editTask.id, { title })
    if (!updated.ok) throw new Error(updated.error.code)
    return at
  },

  /** On the phone: when (epoch ms) its list first showed `title`. */
  seen: (title: string): number | null => seenAt.get(title) ?? null,

  async close(): Promise<void> {
    offer?.cancel()
    offer = undefined
    await client?.close()
    client = undefined
  },
}

/** Times the big space's steps on the phone: listed, opened, first list, every object searchable, every text indexed. */
const watch = async (opened: Client, name: string, objects: number): Promise<void> => {
  const since = (): number => performance.now() - linkStarted
  const listed = await until(opened.spaces.list, (spaces) => spaces?.some((space) => space.name === name) === true)
  progress.listed = since()
  const id = listed?.find((space) => space.name === name)?.id
  if (id === undefined) return
  const session = await opened.spaces.open(id)
  if (!session.ok) throw new Error(session.error.code)
  progress.opened = since()
  const notes = session.value.notes('')
  const tasks = session.value.tasks('')
  const half = objects / 2
  const count = (list: { get(): readonly unknown[] | undefined }): number => list.get()?.length ?? 0
  const check = (): void => {
    if (progress.firstList === undefined && count(notes) + count(tasks) > 0) progress.firstList = since()
    if (progress.searchable === undefined && count(notes) >= half && count(tasks) >= half) progress.searchable = since()
  }
  for (const list of [notes, tasks]) list.subscribe(check)
  check()
  // Taken when the search answered: late by up to one pause and one search, never early.
  while (progress.texts === undefined) {
    await new Promise((resolve) => setTimeout(resolve, TEXT_SEARCH_EVERY_MS))
    const search = session.value.notes(TEXT_WORD)
    const found = await until(search, (results) => results !== undefined)
    search.close()
    if ((found?.length ?? 0) >= half) progress.texts = since()
  }
}
