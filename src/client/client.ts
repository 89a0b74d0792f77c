import { Cell, err, systemClock, type Observable } from '../base'
import { browserStorageEdge, Echo, initEcho, WorkerViewerCheck, type SpaceId } from '../echo'
import { decodeJoinLinkOf, encodeDeviceLink, IdentityStore, type HaloIdentity } from '../halo'
import { startAppUpdate, type AppUpdate } from './app-update'
import { watchConnectivity } from './connectivity'
import type { DevicesApi } from './devices-api'
import type { BrowserEdges } from './edges'
import type { IdentityApi } from './identity-api'
import { IdentityService } from './identity'
import { createInvitesService } from './invites/invites-service'
import type { InvitesApi } from './invites/invites-api'
import { createWelcomes } from './invites/welcomes'
import { linkSpaces } from './linking/link-spaces'
import { createDevicesService } from './linking/devices-service'
import { DEFAULT_AVATAR, LIMITS, type Limits } from './limits'
import type { Avatar } from './identity-api'
import type { TabRole } from './mesh-leader'
import { createMeshSettings, type MeshSettingsApi } from './mesh-settings'
import { startMeshTab } from './mesh-tab'
import type { SyncApi } from './devices-api'
import { createStartMesh, type PersonalSecret } from './mesh/start-mesh'
import { createSyncApi } from './mesh/sync-api'
import { SpacesService } from './spaces'
import { openPresenceChannel } from './presence-channel'
import { everyInterval } from './mesh/room-presence'
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
  /** Invitations of a space (Share), and joining a space from an invitation link. */
  readonly invites: InvitesApi
  /** Sync with the identity's other devices, overall and per space (every tab shows the leader's). */
  readonly sync: SyncApi
  /** Spaces of the identity being received on this device (leader tab): "Receiving your spaces: 3 of 7". */
  readonly receiving: Observable<{ readonly done: number; readonly total: number }>
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
  const { automergeWasmUrl: wasmUrl } = options
  const spawn = edges.viewerCheckWorker
  // A viewer's changes are judged in a worker where the browser has one: a crafted change cannot hold the page.
  const viewerCheck =
    spawn && wasmUrl !== undefined
      ? { viewerCheck: new WorkerViewerCheck({ spawn, wasmUrl, ...(edges.trace ? { trace: edges.trace } : {}) }) }
      : {}
  const echo = (wasmUrl === undefined ? Promise.resolve() : initEcho(wasmUrl)).then(
    () =>
      new Echo({
        network: edges.tabsNetwork(),
        saveDebounceMs: 0,
        locks: edges.locks,
        ...viewerCheck,
        ...(edges.databases ? { database: { name: edges.databases.echo } } : {}),
      }),
  )
  const spaces = new SpacesService(echo, browserStorageEdge(edges.storage), edges.locks)
  identity.onReady((opened, setUpHere) =>
    spaces.attach({ identity: opened.identityKey, signer: opened.signer }, opened, setUpHere),
  )
  // A removed device keeps its local copy readable: only another state lets go of the spaces.
  const stopDetach = identity.state.subscribe((state) => {
    if (state.kind !== 'ready' && state.kind !== 'removed') spaces.detach()
  })
  const connectivity = watchConnectivity(edges.connectivity)
  const appUpdate = startAppUpdate(options.serviceWorkerUrl, edges)
  const meshSettings = createMeshSettings(edges.settings)
  // The mesh runs for an identity that is ready here; a removed device stops syncing.
  const ready = new Cell<HaloIdentity | undefined>(undefined)
  const stopReady = identity.state.subscribe((state) => {
    ready.set(state.kind === 'ready' ? identity.current : undefined)
  })
  const receiving = new Cell({ done: 0, total: 0 })
  const personalSecret = new Cell<((spaceId?: SpaceId) => PersonalSecret | undefined) | undefined>(undefined)
  // Spaces this tab joins by invitation, with the hosts that admitted it, until the space is here.
  const invited = new Map<string, Set<string>>()
  // Their welcomes, in memory until the space's root is here and admits this identity.
  const welcomed = createWelcomes()
  // One tab of the profile leads and runs the mesh (client/mesh); the others hear its status.
  const presence = openPresenceChannel(edges.openChannel, { clock: systemClock, every: everyInterval })
  spaces.followPresence(presence)
  const meshTab = startMeshTab(
    edges,
    createStartMesh({
      identity: ready,
      echo,
      settings: meshSettings.current,
      online: connectivity.online,
      page: edges.trystero,
      receiving,
      personalSecret,
      invited,
      welcomed,
      presence,
      kept: edges.settings,
      ...(edges.trace === undefined ? {} : { trace: edges.trace }),
    }),
  )
  const stopPresence = identity.followPresence(meshTab.status)
  spaces.followPeers(meshTab.status)
  const otherDevices = new Cell(0)
  // A removed device syncs with none of them: its status says it is on its own ("Only on this device").
  const countOthers = (): void => {
    const removed = identity.state.get().kind === 'removed'
    const others = identity.devices.get().filter((device) => !device.thisDevice && !device.revoked)
    otherDevices.set(removed ? 0 : others.length)
  }
  const stopDevices = [identity.devices.subscribe(countOthers), identity.state.subscribe(countOthers)]
  const spacesForLink = linkSpaces({
    echo,
    identity,
    page: edges.trystero,
    settings: () => meshSettings.current.get(),
  })
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
        const decoded = decodeJoinLinkOf('device', text)
        return decoded.ok ? decoded : err({ code: decoded.error.code })
      },
    },
    // A removed device offers no link: it joins no room and signs nothing.
    current: () => (identity.state.get().kind === 'ready' ? identity.current : undefined),
    hasIdentity: () => identity.state.get().kind !== 'none',
    personal: spacesForLink.personal,
    storeLinked: spacesForLink.storeLinked,
    takeLead: () => meshTab.takeLead(),
  })
  const invites = createInvitesService({
    clock: systemClock,
    echo,
    identity,
    page: edges.trystero,
    settings: () => meshSettings.current.get(),
    origin: options.origin ?? '',
    invited,
    welcomed,
    takeLead: () => meshTab.takeLead(),
  })
  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    stopDetach()
    stopReady()
    for (const stop of stopDevices) stop()
    stopPresence()
    connectivity.stop()
    appUpdate.stop()
    await meshTab.stop()
    presence.close()
    await spaces.close()
    identity.close()
    const flushed = await (await echo).close()
    // Nobody is left to tell: the console keeps it for whoever investigates.
    if (!flushed.ok) console.warn('The last changes were not saved while closing:', flushed.error)
  }
  const client: Client = {
    version: edges.version,
    online: connectivity.online,
    appUpdate: appUpdate.api,
    identity,
    spaces,
    meshSettings,
    devices,
    invites,
    sync: createSyncApi(meshTab.status, otherDevices),
    receiving,
    tabRole: meshTab.role,
    limits: LIMITS,
    defaultAvatar: DEFAULT_AVATAR,
    start: () => identity.load(),
    close: () => (closing ??= close()),
  }
  internals.set(client, {
    echo: () => echo,
    personalSecret: () => personalSecret.get()?.(),
    spaceSecret: (spaceId) => personalSecret.get()?.(spaceId),
    expectMembers: (spaceId, members) => {
      const expected = invited.get(spaceId) ?? new Set<string>()
      for (const member of members) expected.add(member)
      invited.set(spaceId, expected)
    },
  })
  return client
}

/** What tests reach beside the interface's API; `ui` never sees it. */
interface ClientInternals {
  /** This tab's ECHO (tests look at which documents it holds). */
  echo(): Promise<Echo>
  /** The personal space's secret this tab's mesh holds, while it leads (tests play a thief of it). */
  personalSecret(): PersonalSecret | undefined
  /** The secret of `spaceId` this tab's mesh holds, while it leads (tests hand a space to another identity). */
  spaceSecret(spaceId: SpaceId): PersonalSecret | undefined
  /** Lets `members` in while `spaceId` is fetched, as an invitation's proved log does (tests hand a space over). */
  expectMembers(spaceId: SpaceId, members: readonly string[]): void
}
const internals = new WeakMap<Client, ClientInternals>()
export const clientInternals = (client: Client): ClientInternals | undefined => internals.get(client)
