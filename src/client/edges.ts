import { traceFields, type Trace } from '../base'
import { broadcastChannelNetwork, spawnViewerCheckWorker, type ViewerCheckWorker } from '../echo'
import { trysteroPage, type TrysteroPage } from '../mesh'
import type { SettingsStorage } from './mesh-settings'
import type { Locks } from './spaces'
import type { OpenChannel } from './tab-channel'

/** The part of an `EventTarget` the client listens on. */
export type ListenerTarget = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>

/**
 * Everything the client takes from the browser, passed in so that tests run the real client in Node
 * (fake-indexeddb for IndexedDB, fakes for the rest) and can check that `close()` let go of it all.
 */
export interface BrowserEdges {
  /** `navigator.storage`: persistence and the usage estimate. */
  readonly storage: Pick<StorageManager, 'persist' | 'persisted' | 'estimate'>
  /** `navigator.locks`, shared with the other tabs. */
  readonly locks: Locks
  /** `localStorage`, for the mesh settings of this device and the mesh's last sync times. */
  readonly settings: SettingsStorage
  /** Where `online` and `offline` are announced (the window), and whether the browser is online now. */
  readonly connectivity: ListenerTarget & { readonly onLine: boolean }
  /**
   * Where `pagehide`/`pageshow` (the window) and `freeze`/`resume` (the document) are announced: a leader
   * tab hands over its connections when hidden or frozen, and lines up again when shown.
   */
  readonly page: ListenerTarget
  /** Where `visibilitychange` is announced (the document): a page shown again looks for a new version. */
  readonly visibility: ListenerTarget & { readonly visibilityState: DocumentVisibilityState }
  /** `navigator.serviceWorker`; undefined where the browser has none (or in tests). */
  readonly serviceWorker: ServiceWorkerContainer | undefined
  /** `name => new BroadcastChannel(name)`: the tabs of this profile tell each other of changes. */
  readonly openChannel: OpenChannel
  /** A worker that judges a viewer's changes off the page's thread; none in Node, where they are judged in place. */
  readonly viewerCheckWorker: (() => ViewerCheckWorker) | undefined
  /** automerge-repo adapters that share documents with the other tabs; none in a test of one tab. */
  readonly tabsNetwork: () => readonly ReturnType<typeof broadcastChannelNetwork>[]
  /** Trystero of this page (its `selfId` and `joinRoom`): the leader tab's rooms; tests pass a fake page. */
  readonly trystero: TrysteroPage
  /** The IndexedDB databases' names; tests give each run its own. */
  readonly databases: { readonly halo: string; readonly echo: string } | undefined
  /** The version of this build (`__APP_VERSION__`). */
  readonly version: string
  /** Where the mesh and the viewer checks tell their rare events (the console at debug level); none in tests. */
  readonly trace?: Trace
}

/** The Page Lifecycle events go to the document, `pagehide`/`pageshow` to the window. */
const ON_DOCUMENT = new Set(['freeze', 'resume'])
const pageLifecycle = (): ListenerTarget => {
  const targetOf = (type: string): ListenerTarget => (ON_DOCUMENT.has(type) ? document : window)
  return {
    addEventListener: (type, listener, options) => {
      targetOf(type).addEventListener(type, listener, options)
    },
    removeEventListener: (type, listener, options) => {
      targetOf(type).removeEventListener(type, listener, options)
    },
  }
}

/** The edges of the real app, in a browser. */
export const browserEdges = (): BrowserEdges => ({
  storage: navigator.storage,
  locks: navigator.locks,
  settings: localStorage,
  connectivity: {
    get onLine() {
      return navigator.onLine
    },
    addEventListener: window.addEventListener.bind(window),
    removeEventListener: window.removeEventListener.bind(window),
  },
  page: pageLifecycle(),
  visibility: document,
  serviceWorker: 'serviceWorker' in navigator ? navigator.serviceWorker : undefined,
  openChannel: (name) => new BroadcastChannel(name),
  viewerCheckWorker: spawnViewerCheckWorker,
  tabsNetwork: () => [broadcastChannelNetwork()],
  trystero: trysteroPage,
  databases: undefined,
  version: __APP_VERSION__,
  trace: (event, fields) => {
    console.debug(`mesh ${event}`, traceFields(fields))
  },
})
