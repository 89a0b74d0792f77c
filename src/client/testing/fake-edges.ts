// Tests only: the browser's edges as fakes that count their listeners, over fake-indexeddb.
import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import type { Observable } from '../../base'
import { FakeTrystero } from '../../mesh/testing/fake-trystero'
import type { BrowserEdges, ListenerTarget } from '../edges'
import type { ChannelEdge } from '../tab-channel'
import { FakeLockManager } from './fake-locks'

/** An event target that counts its listeners, so a test sees what `close()` left behind. */
class CountingTarget implements ListenerTarget {
  readonly #listeners = new Map<string, Set<EventListenerOrEventListenerObject>>()

  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (listener === null) return
    const set = this.#listeners.get(type) ?? new Set()
    set.add(listener)
    this.#listeners.set(type, set)
  }

  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (listener !== null) this.#listeners.get(type)?.delete(listener)
  }

  dispatch(event: Event): void {
    for (const listener of [...(this.#listeners.get(event.type) ?? [])]) {
      if (typeof listener === 'function') listener(event)
      else listener.handleEvent(event)
    }
  }

  get listenerCount(): number {
    return [...this.#listeners.values()].reduce((sum, set) => sum + set.size, 0)
  }
}

/** Channels by name within one test: what one client posts, the others on that name receive. */
class FakeChannels {
  readonly open: ChannelEdge[] = []
  readonly #byName = new Map<string, Set<FakeChannel>>()

  openChannel = (name: string): ChannelEdge => {
    const peers = this.#byName.get(name) ?? new Set<FakeChannel>()
    this.#byName.set(name, peers)
    const channel = new FakeChannel(peers)
    peers.add(channel)
    this.open.push(channel)
    return channel
  }

  get listenerCount(): number {
    return this.open.reduce((sum, channel) => sum + (channel as FakeChannel).listenerCount, 0)
  }

  get openCount(): number {
    return this.open.filter((channel) => !(channel as FakeChannel).closed).length
  }
}

class FakeChannel extends CountingTarget implements ChannelEdge {
  closed = false
  readonly #peers: Set<FakeChannel>

  constructor(peers: Set<FakeChannel>) {
    super()
    this.#peers = peers
  }

  postMessage(message: unknown): void {
    for (const peer of this.#peers) {
      if (peer !== this) queueMicrotask(() => peer.dispatch(new MessageEvent('message', { data: message })))
    }
  }

  close(): void {
    this.closed = true
    this.#peers.delete(this)
  }
}

/** The parts of a profile its tabs share: databases, settings, channels and Web Locks. */
interface Profile {
  readonly databases: { readonly halo: string; readonly echo: string }
  readonly settings: Map<string, string>
  readonly channels: FakeChannels
  readonly lockManager: FakeLockManager
  /** The in-memory Trystero this profile's pages join rooms on (shared with other profiles of the test). */
  readonly network: FakeTrystero
}

/** One tab of `profile`: its own window, document and `navigator.locks`. */
const fakeTab = (profile: Profile) => {
  const { databases, settings, channels } = profile
  const connectivity = Object.assign(new CountingTarget(), { onLine: true })
  const page = new CountingTarget()
  const visibility = Object.assign(new CountingTarget(), { visibilityState: 'visible' as const })
  const locks = profile.lockManager.tab()
  const trystero = profile.network.page()
  const edges: BrowserEdges = {
    storage: {
      persist: () => Promise.resolve(true),
      persisted: () => Promise.resolve(true),
      estimate: () => Promise.resolve({ usage: 0, quota: 1_000_000_000 }),
    },
    locks,
    settings: {
      getItem: (key) => settings.get(key) ?? null,
      setItem: (key, value) => void settings.set(key, value),
      removeItem: (key) => void settings.delete(key),
    },
    connectivity,
    page,
    visibility,
    serviceWorker: undefined,
    openChannel: channels.openChannel,
    viewerCheckWorker: undefined,
    tabsNetwork: () => [],
    trystero,
    databases,
    version: 'test',
  }
  /** What the browser does when it clears the site's storage: ECHO's database goes, HALO's stays. */
  const clearSpaces = () =>
    new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(databases.echo)
      request.onsuccess = () => {
        resolve()
      }
      request.onerror = () => {
        reject(request.error ?? new Error('deleteDatabase failed'))
      }
    })
  return {
    edges,
    databases,
    channels,
    connectivity,
    page,
    visibility,
    locks,
    lockManager: profile.lockManager,
    trystero,
    clearSpaces,
  }
}

/**
 * One browser profile: its databases (named for this test), storage, settings, channels and locks, seen
 * from its first tab; `openTab()` opens another tab of the same profile. Profiles given one `network`
 * (another device of the test) meet in its rooms; each tab is its own Trystero page.
 */
export const fakeBrowser = (network = new FakeTrystero()) => {
  const id = crypto.randomUUID()
  const profile: Profile = {
    databases: { halo: `client-test-halo-${id}`, echo: `client-test-echo-${id}` },
    settings: new Map<string, string>(),
    channels: new FakeChannels(),
    lockManager: new FakeLockManager(),
    network,
  }
  return { ...fakeTab(profile), openTab: () => fakeTab(profile) }
}

/**
 * Makes IndexedDB refuse writes to `database` with the browser's `QuotaExceededError`, as a full
 * disk does, until the returned function is called.
 */
export const refuseWrites = (database: string): (() => void) => {
  type Write = (this: IDBObjectStore, value: unknown, key?: IDBValidKey) => IDBRequest<IDBValidKey>
  const prototype = IDBObjectStore.prototype
  const put = Reflect.get(prototype, 'put') as Write
  const add = Reflect.get(prototype, 'add') as Write
  const refusing = (write: Write) =>
    function (this: IDBObjectStore, ...args: Parameters<Write>) {
      if (this.transaction.db.name === database)
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      return write.apply(this, args)
    }
  prototype.put = refusing(put)
  prototype.add = refusing(add)
  return () => {
    prototype.put = put
    prototype.add = add
  }
}

/** The Automerge wasm, as a URL Node's fetch can read (the app serves it as a file). */
export const automergeWasmUrl = (): string =>
  `data:application/wasm;base64,${readFileSync(new URL('../../../node_modules/@automerge/automerge/dist/automerge.wasm', import.meta.url)).toString('base64')}`

/** Resolves with the current or first later value of `observable` that `accept`s. */
export const until = <T>(observable: Observable<T>, accept: (value: T) => boolean): Promise<T> =>
  new Promise((resolve) => {
    const now = observable.get()
    if (accept(now)) {
      resolve(now)
      return
    }
    const stop = observable.subscribe((value) => {
      if (!accept(value)) return
      stop()
      resolve(value)
    })
  })
