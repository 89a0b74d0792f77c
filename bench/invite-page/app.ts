/**
 * The app side of the invite bench: the real client in this page (real Trystero, traced; the local signal worker,
 * no ICE servers). An owner makes an identity and a space (with a task, and if asked many objects) and invitation
 * links; a fresh profile with no identity opens one as the join screen does (read, join, Join with a name as soon
 * as the inviter shows) until its client lists the space and the owner's task; the owner then removes it, and each
 * side says when its connection to the other closed.
 */
import wasmUrl from '@automerge/automerge/automerge.wasm?url'
import { until } from '../../src/base/index.ts'
import { browserEdges, createClient } from '../../src/client/index.ts'
import type { Client, InviteJoinState, SpaceSession } from '../../src/client/index.ts'
import { buildSpace, storedIdentity, TEXT_WORD } from '../sync-page/build-space.ts'
import { Trace, type TraceEvent } from './trace.ts'

/** How long a guest may take to see the space before the bench counts the run as failed. */
const JOIN_LIMIT_MS = 60_000
const REMOVAL_LIMIT_MS = 30_000
/** How many one-second samples of a big space's arrival are kept. */
const SAMPLE_S = 120
/** The owner's task the guest waits for: the space is visible with its content. */
const OWNER_TASK = 'Written by Ada'

const trace = new Trace()
let client: Client | undefined
let session: SpaceSession | undefined
const progress: Record<string, number> = {}
const samples: { s: number; in: number; kB: number; listed: number }[] = []

const now = (): number => performance.timeOrigin + performance.now()
const current = (): Client => {
  if (client === undefined) throw new Error('no client')
  return client
}
const opened = (): SpaceSession => {
  if (session === undefined) throw new Error('no space open')
  return session
}

const useSignal = (signalUrl: string): void => {
  localStorage.setItem(
    'commonplace.mesh-settings',
    JSON.stringify({ signalUrls: [signalUrl], publicRelays: [], iceServers: [] }),
  )
}

const open = async (): Promise<Client> => {
  const made = createClient({ edges: { ...browserEdges(), trystero: trace.page() }, automergeWasmUrl: wasmUrl })
  await made.start()
  client = made
  return made
}

const openSpace = async (id: string): Promise<SpaceSession> => {
  const opening = await current().spaces.open(id)
  if (!opening.ok) throw new Error(opening.error.code)
  session = opening.value
  return opening.value
}

/** Another member's devices connected to this space now, as the Members panel shows them. */
const othersOnline = (): number =>
  opened()
    .members.get()
    .filter((member) => !member.me)
    .flatMap((member) => member.devicesOnline).length

export const app = {
  /** An identity "Ada" with a space (its task first, then `objects` objects if asked); returns the space's id. */
  async owner(options: { signalUrl: string; name: string; objects: number }): Promise<string> {
    useSignal(options.signalUrl)
    let made = await open()
    const created = await made.identity.create({ displayName: 'Ada', avatar: { colour: '#1f5fa8' } }, 'Laptop')
    if (!created.ok) throw new Error(created.error.code)
    if (options.objects > 0) {
      await made.close()
      await buildSpace(await storedIdentity(), options.name, options.objects)
      made = await open()
      const listed = await until(
        made.spaces.list,
        (list) => list?.some((space) => space.name === options.name) === true,
        AbortSignal.timeout(JOIN_LIMIT_MS),
      )
      if (!listed) throw new Error('the big space is not listed')
    } else {
      const space = await made.spaces.create(options.name)
      if (!space.ok) throw new Error(space.error.code)
    }
    const id = made.spaces.list.get()?.find((space) => space.name === options.name)?.id
    if (id === undefined) throw new Error('no space')
    const task = await (await openSpace(id)).createTask(OWNER_TASK)
    if (!task.ok) throw new Error(task.error.code)
    return id
  },

  /** On the owner: a single-use editor link to its space. */
  async invite(): Promise<string> {
    const made = await current().invites.create(opened().id, { role: 'editor' })
    if (!made.ok) throw new Error(made.error.code)
    return made.value.url
  },

  /** Starts the client of a fresh profile before the link is opened: with no identity, or one named `name`. */
  async fresh(signalUrl: string, name?: string): Promise<void> {
    useSignal(signalUrl)
    const made = await open()
    await until(made.identity.state, (state) => state.kind === 'none', AbortSignal.timeout(JOIN_LIMIT_MS))
    if (name === undefined) return
    const created = await made.identity.create({ displayName: name, avatar: { colour: '#2f5d50' } }, 'Laptop')
    if (!created.ok) throw new Error(created.error.code)
  },

  /**
   * Opens `url` as the join screen does and presses Join with `name` as soon as the inviter shows; resolves when
   * the client lists the space and its task list shows the owner's task. Times (epoch ms): `opened` (the link
   * read), each join state as it first showed, `listed` and `visible`. A big space's progress goes on (`progress`).
   */
  async join(options: {
    url: string
    name: string
    objects: number
  }): Promise<{ opened: number; steps: Record<string, number>; visible: number | null; state: string }> {
    const made = current()
    trace.clear()
    const started = now()
    const read = made.invites.read(options.url)
    if (!read.ok) throw new Error(`read: ${read.error.code}`)
    const joined = await made.invites.join(read.value)
    if (!joined.ok) throw new Error(`join: ${joined.error.code}`)
    const joining = joined.value
    const steps: Record<string, number> = {}
    const step = (state: InviteJoinState): void => {
      steps[state.kind] ??= now()
      if (state.kind === 'found' && steps.accept === undefined) {
        steps.accept = now()
        void joining.accept({ displayName: options.name })
      }
    }
    joining.state.subscribe(step)
    step(joining.state.get())
    const limit = AbortSignal.timeout(JOIN_LIMIT_MS)
    const listed = await until(
      made.spaces.list,
      (list) => list?.some((space) => space.id === read.value.spaceId) === true,
      limit,
    )
    if (!listed) return { opened: started, steps, visible: null, state: joining.state.get().kind }
    steps.listed = now()
    const space = await openSpace(read.value.spaceId)
    if (options.objects > 0) watch(space, options.objects, started)
    const tasks = space.tasks('')
    const shown = await until(tasks, (list) => list?.some((task) => task.title === OWNER_TASK) === true, limit)
    tasks.close()
    return { opened: started, steps, visible: shown ? now() : null, state: joining.state.get().kind }
  },

  /** Resolves (epoch ms) once another member's device is connected to the open space, as the Members panel shows. */
  async connected(): Promise<number | null> {
    const ok = await until(opened().members, () => othersOnline() > 0, AbortSignal.timeout(REMOVAL_LIMIT_MS))
    return ok ? now() : null
  },

  /** On the owner: removes every other member; returns when (epoch ms) the removal started. */
  async removeOthers(): Promise<number> {
    const started = now()
    for (const member of opened().members.get()) {
      if (member.me) continue
      const removed = await opened().removeMember(member.identity)
      if (!removed.ok) throw new Error(removed.error.code)
    }
    return started
  },

  /** Resolves (epoch ms) once no other member's device is connected to the open space, or null after the limit. */
  async disconnected(): Promise<number | null> {
    const ok = await until(opened().members, () => othersOnline() === 0, AbortSignal.timeout(REMOVAL_LIMIT_MS))
    return ok ? now() : null
  },

  /** Every repo message of space rooms since the last join (INVITE_BENCH_TRACE writes them out for the big space). */
  repoEvents: () => [...trace.repoEvents],

  /** What the traced Trystero page saw since the last join. */
  trace: (): readonly TraceEvent[] => [...trace.events],

  /** Epoch ms of each step of a big space's arrival (`listed`, `firstList`, `searchable`, `texts`). */
  progress: (): Record<string, number> => ({ ...progress }),

  /** The big space's arrival second by second: repo messages and kB received, objects listed. */
  samples: () => [...samples],

  async close(): Promise<void> {
    session?.close()
    session = undefined
    await client?.close()
    client = undefined
  },
}

/** Times the big space's steps on the guest: the first list, every object searchable, every text indexed. */
const watch = (space: SpaceSession, objects: number, started: number): void => {
  progress.opened = started
  progress.listed = now()
  const notes = space.notes('')
  const tasks = space.tasks('')
  const texts = space.notes(TEXT_WORD)
  // Half the objects are notes, half tasks; the owner's own task is one more.
  const half = Math.floor(objects / 2)
  const count = (list: { get(): readonly unknown[] | undefined }): number => list.get()?.length ?? 0
  const check = (): void => {
    if (progress.firstList === undefined && count(notes) + count(tasks) > 0) progress.firstList = now()
    if (progress.searchable === undefined && count(notes) >= half && count(tasks) >= half) progress.searchable = now()
    if (progress.texts === undefined && count(texts) >= half) progress.texts = now()
  }
  // Every second for up to SAMPLE_S seconds: repo messages and kilobytes received so far, and objects listed.
  const sampler = setInterval(() => {
    samples.push({
      s: Math.round((now() - started) / 1000),
      in: trace.repo.in,
      kB: Math.round(trace.repo.inBytes / 1024),
      listed: count(notes) + count(tasks),
    })
    if (samples.length >= SAMPLE_S || progress.texts !== undefined) clearInterval(sampler)
  }, 1000)
  for (const list of [notes, tasks, texts]) list.subscribe(check)
  check()
}
