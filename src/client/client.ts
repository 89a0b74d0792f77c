import type { Observable } from '../base'
import { broadcastChannelNetwork, browserStorageEdge, Echo, initEcho } from '../echo'
import { IdentityStore } from '../halo'
import { startAppUpdate, type AppUpdate } from './app-update'
import { watchConnectivity } from './connectivity'
import type { IdentityApi } from './identity-api'
import { IdentityService } from './identity'
import { createMeshSettings, type MeshSettingsApi } from './mesh-settings'
import { SpacesService } from './spaces'
import type { SpacesApi } from './spaces-api'

export interface ClientOptions {
  /** The service worker script; omit to run without one (tests, unsupported browsers). */
  readonly serviceWorkerUrl?: string | undefined
  /** Where the Automerge wasm is served (a separate, cacheable file). */
  readonly automergeWasmUrl: string
}

/**
 * The one object the interface talks to. It composes the layers and hands out
 * framework-neutral state (`Observable`s) and actions.
 */
export interface Client {
  readonly version: string
  readonly online: Observable<boolean>
  readonly appUpdate: AppUpdate
  readonly identity: IdentityApi
  readonly spaces: SpacesApi
  readonly meshSettings: MeshSettingsApi
  /** Reads what this browser holds; the interface shows `loading` until it resolves. */
  start(): Promise<void>
}

export const createClient = (options: ClientOptions): Client => {
  const identity = new IdentityService(new IdentityStore())
  // Tabs of this browser share documents over a BroadcastChannel; storage is shared anyway.
  // Edits are saved on the next turn of the event loop rather than after a pause, so a reload or a
  // closed tab right after typing loses nothing; the storage adapter batches them into one transaction.
  const echo = initEcho(options.automergeWasmUrl).then(
    () => new Echo({ network: [broadcastChannelNetwork()], saveDebounceMs: 0 }),
  )
  const spaces = new SpacesService(echo, browserStorageEdge(navigator.storage), navigator.locks)
  identity.onReady((opened, setUpHere) =>
    spaces.attach({ identity: opened.identityKey, signer: opened.signer }, opened, setUpHere),
  )
  identity.state.subscribe((state) => {
    if (state.kind !== 'ready') spaces.detach()
  })
  return {
    version: __APP_VERSION__,
    online: watchConnectivity(),
    appUpdate: startAppUpdate(options.serviceWorkerUrl),
    identity,
    spaces,
    meshSettings: createMeshSettings(localStorage),
    start: () => identity.load(),
  }
}
