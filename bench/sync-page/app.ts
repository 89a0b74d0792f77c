/**
 * The app side of the sync bench: the real client in this page (real Trystero,
 * the local signal worker, no ICE servers). A laptop creates an identity (and,
 * if asked, a space of many objects built through ECHO directly, as an import
 * would); a phone is linked to it the way device linking does underneath
 * (HALO's authorizeDevice on the laptop, createLinked on the phone, the
 * personal space handed over), then the bench times what the phone's client
 * shows.
 */
import wasmUrl from '@automerge/automerge/automerge.wasm?url'
import { Cell } from '../../src/base/index.ts'
import { browserEdges, createClient } from '../../src/client/index.ts'
import type { Client, SpaceSession } from '../../src/client/index.ts'
import { clientInternals } from '../../src/client/client.ts'
import type { PersonalHandover } from '../../src/client/mesh/start-mesh.ts'
import { Echo, initEcho, orderBetween } from '../../src/echo/index.ts'
import type { Draft, SpaceId } from '../../src/echo/index.ts'
import { generateKeyPair, IdentityStore } from '../../src/halo/index.ts'
import type { HaloIdentity, IdentityKey, KeyPair } from '../../src/halo/index.ts'
import type { DeviceKey } from '../../src/halo/testing/index.ts'
import { LongTasks } from './long-tasks.ts'

/** The word every note's text holds and no title does: searching it finds the notes whose text is indexed. */
export const TEXT_WORD = 'paragraphword'
const BATCH = 1000
/** How long a link may take to list every space before the bench counts it as failed. */
const LINK_LIMIT_MS = 60_000

let client: Client | undefined
let phoneKey: KeyPair<DeviceKey> | undefined
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

const open = async (handover?: PersonalHandover): Promise<Client> => {
  const opened = createClient({
    edges: browserEdges(),
    automergeWasmUrl: wasmUrl,
    ...(handover === undefined ? {} : { personalHandover: new Cell<PersonalHandover | undefined>(handover) }),
  })
  await opened.start()
  client = opened
  return opened
}

const halo = async (): Promise<HaloIdentity> => {
  const state = await new IdentityStore({ locks: navigator.locks }).load()
  if (state.status !== 'ready') throw new Error(`no identity: ${state.status}`)
  return state.identity
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

/** A space of `count` objects, every other one a note with a paragraph, written by ECHO in batches. */
const buildSpace = async (identity: HaloIdentity, name: string, count: number): Promise<void> => {
  await initEcho(wasmUrl)
  const echo = new Echo({ locks: navigator.locks })
  const actor = { identity: identity.identityKey, signer: identity.signer }
  const space = await echo.createSpace(actor, name)
  let order = orderBetween()
  for (let first = 0; first < count; first += BATCH) {
    const drafts: Draft[] = []
    for (let i = first; i < Math.min(count, first + BATCH); i++) {
      if (i % 2 === 0) {
        const text = `Note ${i} holds a ${TEXT_WORD} of plain prose, the kind of paragraph a person keeps: what was said at the meeting, what to buy on the way home, a quote worth keeping, and a line about why.`
        drafts.push({ type: 'note', title: `Note ${i}`, text })
      } else {
        order = orderBetween(order)
        drafts.push({ type: 'task', fields: { title: `Task ${i}`, done: false, order } })
      }
    }
    const created = await space.createMany(actor, drafts)
    if (!created.ok) throw created.error
    await echo.settled()
  }
  const flushed = await echo.close()
  if (!flushed.ok) throw flushed.error
}

const personal = async (): Promise<SpaceSession> => {
  const list = await until(current().spaces.list, (spaces) => spaces?.some((space) => space.personal) === true)
  const id = list?.find((space) => space.personal)?.id
  if (id === undefined) throw new Error('no personal space')
  const session = await current().spaces.open(id)
  if (!session.ok) throw new Error(session.error.code)
  return session.value
}

export interface Authorized {
  readonly identityKey: IdentityKey
  readonly chain: unknown
  readonly credentials: readonly unknown[]
}

/** A handover as plain JSON, to carry it from one page to the other. */
export interface HandoverJson {
  readonly spaceId: string
  readonly rootUrl: string
  readonly generation: number
  readonly secret: number[]
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
      await buildSpace(await halo(), 'Big', options.objects)
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

  /** The personal handover once the mesh runs on this (leader) tab. */
  handover(): HandoverJson | null {
    const handover = clientInternals(current())?.personalHandover()
    if (handover === undefined) return null
    return {
      spaceId: handover.spaceId,
      rootUrl: handover.rootUrl,
      generation: handover.generation,
      secret: [...handover.secret],
    }
  },

  /** Authorizes the phone's device key, as the linking device does, and tells the client as another tab would. */
  async authorize(device: string, name: string): Promise<Authorized> {
    const identity = await halo()
    const authorized = await identity.authorizeDevice(device as DeviceKey, name)
    if (!authorized.ok) throw authorized.error
    new BroadcastChannel('commonplace/identity').postMessage('identity-changed')
    await until(current().identity.devices, (devices) => devices.some((entry) => entry.name === name))
    return { identityKey: identity.identityKey, ...authorized.value }
  },

  /** A fresh phone's device key (kept in the page for `link`). */
  newDevice(): string {
    phoneKey = generateKeyPair<DeviceKey>()
    return phoneKey.publicKey
  },

  /**
   * Links this fresh profile and starts its client; resolves when `spaces` spaces are listed, with the time
   * since the link was opened. Progress on a space named `watch` goes on in the background (see `progress`).
   */
  async link(options: {
    signalUrl: string
    authorized: Authorized
    handover: HandoverJson
    spaces: number
    watch?: string | undefined
    objects?: number | undefined
  }): Promise<{ ms: number | null; spaces: number; sync: string }> {
    if (phoneKey === undefined) throw new Error('newDevice first')
    useSignal(options.signalUrl)
    longTasks = new LongTasks()
    linkStarted = performance.now()
    const linked = await new IdentityStore({ locks: navigator.locks }).createLinked({
      deviceKeyPair: phoneKey,
      identityKey: options.authorized.identityKey,
      chain: options.authorized.chain,
      credentials: options.authorized.credentials,
    })
    if (!linked.ok) throw linked.error
    const { spaceId, rootUrl, generation, secret } = options.handover
    const opened = await open({ spaceId: spaceId as SpaceId, rootUrl, generation, secret: Uint8Array.from(secret) })
    if (options.watch !== undefined) void watch(opened, options.watch, options.objects ?? 0)
    const listed = until(opened.spaces.list, (spaces) => (spaces?.length ?? 0) >= options.spaces).then(
      () => performance.now() - linkStarted,
    )
    const ms = await Promise.race([listed, new Promise<null>((resolve) => setTimeout(resolve, LINK_LIMIT_MS, null))])
    return { ms, spaces: opened.spaces.list.get()?.length ?? 0, sync: opened.sync.overall.get().kind }
  },

  /** Milliseconds since the link for each step seen so far, and the longest main-thread task then. */
  progress(): Record<string, number> {
    return { ...progress }
  },

  /** Stops the long-task observer; the longest task since the link was opened. */
  longestTask(): { longestTaskMs: number; longTasks: number } {
    return longTasks?.stop() ?? { longestTaskMs: 0, longTasks: 0 }
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
    await client?.close()
    client = undefined
  },
}

/** Times the big space's steps on the phone: listed, first list, every object searchable, every text indexed. */
const watch = async (opened: Client, name: string, objects: number): Promise<void> => {
  const since = (): number => performance.now() - linkStarted
  const listed = await until(opened.spaces.list, (spaces) => spaces?.some((space) => space.name === name) === true)
  progress.listed = since()
  const id = listed?.find((space) => space.name === name)?.id
  if (id === undefined) return
  const session = await opened.spaces.open(id)
  if (!session.ok) throw new Error(session.error.code)
  const notes = session.value.notes('')
  const tasks = session.value.tasks('')
  const texts = session.value.notes(TEXT_WORD)
  const half = objects / 2
  const count = (list: { get(): readonly unknown[] | undefined }): number => list.get()?.length ?? 0
  const check = (): void => {
    if (progress.firstList === undefined && count(notes) + count(tasks) > 0) progress.firstList = since()
    if (progress.searchable === undefined && count(notes) >= half && count(tasks) >= half) progress.searchable = since()
    if (progress.texts === undefined && count(texts) >= half) progress.texts = since()
  }
  for (const list of [notes, tasks, texts]) list.subscribe(check)
  check()
}
