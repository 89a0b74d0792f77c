import { err, systemClock, type Observable } from '../base'
import { browserStorageEdge, Echo, initEcho } from '../echo'
import { decodeJoinLink, encodeDeviceLink, IdentityStore } from '../halo'
import { startAppUpdate, type AppUpdate } from './app-update'
import { watchConnectivity } from './connectivity'
import type { DevicesApi } from './devices-api'
import type { BrowserEdges } from './edges'
import type { IdentityApi } from './identity-api'
import { IdentityService } from './identity'
import { linkSpaces } from './linking/link-spaces'
import { createDevicesService } from './linking/devices-service'
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
  /** `location.origin`, for the links this device makes; omit where there is none (tests). */
  readonly origin?: string | undefined
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
  /** Linking another device to this identity, and joining one from a link. */
  readonly devices: DevicesApi
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
  const meshSettings = createMeshSettings(edges.settings)
  const spacesForLink = linkSpaces(echo, identity)
  const devices = createDevicesService({
    clock: systemClock,
    after: (ms, fire) => {
      const timer = setTimeout(fire, ms)
      return () => {
        clearTimeout(timer)
      }
    },
    page: edges.trystero,
    settings: () => meshSettings.current.get(),
    origin: options.origin ?? '',
    codec: {
      encode: encodeDeviceLink,
      decode: (text) => {
        const decoded = decodeJoinLink(text)
        return decoded.ok ? decoded : err({ code: decoded.error.code })
      },
    },
    current: () => identity.current,
    hasIdentity: () => identity.state.get().kind !== 'none',
    personal: spacesForLink.personal,
    storeLinked: spacesForLink.storeLinked,
    takeLead: () => meshTab.takeLead(),
  })
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
    meshSettings,
    devices,
    tabRole: meshTab.role,
    limits: LIMITS,
    defaultAvatar: DEFAULT_AVATAR,
    start: () => identity.load(),
    close: () => (closing ??= close()),
  }
}
