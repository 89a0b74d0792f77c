import type { Observable } from '../base'
import { browserStorageEdge, Echo, initEcho } from '../echo'
import { IdentityStore } from '../halo'
import { startAppUpdate, type AppUpdate } from './app-update'
import { watchConnectivity } from './connectivity'
import type { BrowserEdges } from './edges'
import type { IdentityApi } from './identity-api'
import { IdentityService } from './identity'
import { DEFAULT_AVATAR, LIMITS, type Limits } from './limits'
import type { Avatar } from './identity-api'
import type { TabRole } from './mesh-leader'
import { createMeshSettings, type MeshSettingsApi } from './mesh-settings'
import { startMeshTab } from './mesh-tab'
import { SpacesService } from './spaces'
import type { SpacesApi } from './spaces-api'

export interface ClientOptions {
  /** The service worker script; omit to run without one (tests, unsupported browsers). */
  readonly serviceWorkerUrl?: string | undefined
  /** Where the Automerge wasm is served (a separate, cacheable file); omit where it is loaded already (Node). */
  readonly automergeWasmUrl?: string | undefined
  /** What the client takes from the browser: `browserEdges()` in the app, fakes in tests. */
  readonly edges: BrowserEdges
}

/**
 * The one object the interface talks to. It composes the layers and hands out
 * framework-neutral state (`Observable`s) and actions. Every action resolves to
 * `Result<T, Problem>` and never throws.
 */
export interface Client {
  readonly version: string
  readonly online: Observable<boolean>
  readonly appUpdate: AppUpdate
  readonly identity: IdentityApi
  readonly spaces: SpacesApi
  readonly meshSettings: MeshSettingsApi
  /** Whether this tab holds the profile's connections (one tab leads) or follows the leader through the others. */
  readonly tabRole: Observable<TabRole>
  /** How long names, titles and passwords may be; the client refuses what breaks them. */
  readonly limits: Limits
  /** The avatar of a profile made without one. */
  readonly defaultAvatar: Avatar
  /** Reads what this browser holds; the interface shows `loading` until it resolves. */
  start(): Promise<void>
  /** Saves what is pending, lets go of every listener and closes storage. Calling it again waits for the first. */
  close(): Promise<void>
}

export const createClient = (options: ClientOptions): Client => {
  const { edges } = options
  const identity = new IdentityService(
    new IdentityStore({ locks: edges.locks, ...(edges.databases ? { databaseName: edges.databases.halo } : {}) }),
    edges.openChannel,
  )
  // Tabs of this browser share documents over a BroadcastChannel; storage is shared anyway.
  // Edits are saved on the next turn of the event loop rather than after a pause, so a reload or a
  // closed tab right after typing loses nothing; the storage adapter batches them into one transaction.
  const echo = (options.automergeWasmUrl === undefined ? Promise.resolve() : initEcho(options.automergeWasmUrl)).then(
    () =>
      new Echo({
        network: edges.tabsNetwork(),
        saveDebounceMs: 0,
        locks: edges.locks,
        ...(edges.databases ? { database: { name: edges.databases.echo } } : {}),
      }),
  )
  const spaces = new SpacesService(echo, browserStorageEdge(edges.storage), edges.locks)
  identity.onReady((opened, setUpHere) =>
    spaces.attach({ identity: opened.identityKey, signer: opened.signer }, opened, setUpHere),
  )
  const stopDetach = identity.state.subscribe((state) => {
    if (state.kind !== 'ready') spaces.detach()
  })
  const connectivity = watchConnectivity(edges.connectivity)
  const appUpdate = startAppUpdate(options.serviceWorkerUrl, edges)
  // One tab of the profile leads. No mesh is started in it yet: the leader publishes `connecting`.
  const meshTab = startMeshTab(edges, () => Promise.resolve(() => Promise.resolve()))
  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    stopDetach()
    connectivity.stop()
    appUpdate.stop()
    await meshTab.stop()
    await spaces.close()
    identity.close()
    const flushed = await (await echo).close()
    // Nobody is left to tell: the console keeps it for whoever investigates.
    if (!flushed.ok) console.warn('The last changes were not saved while closing:', flushed.error)
  }
  return {
    version: edges.version,
    online: connectivity.online,
    appUpdate: appUpdate.api,
    identity,
    spaces,
    meshSettings: createMeshSettings(edges.settings),
    tabRole: meshTab.role,
    limits: LIMITS,
    defaultAvatar: DEFAULT_AVATAR,
    start: () => identity.load(),
    close: () => (closing ??= close()),
  }
}
