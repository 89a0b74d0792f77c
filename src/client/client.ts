import type { Observable } from '../base'
import { IdentityStore } from '../halo'
import { startAppUpdate, type AppUpdate } from './app-update'
import { watchConnectivity } from './connectivity'
import type { IdentityApi } from './identity-api'
import { IdentityService } from './identity'
import { createMeshSettings, type MeshSettingsApi } from './mesh-settings'

export interface ClientOptions {
  /** The service worker script; omit to run without one (tests, unsupported browsers). */
  readonly serviceWorkerUrl?: string | undefined
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
  readonly meshSettings: MeshSettingsApi
  /** Reads what this browser holds; the interface shows `loading` until it resolves. */
  start(): Promise<void>
}

export const createClient = (options: ClientOptions = {}): Client => {
  const identity = new IdentityService(new IdentityStore())
  return {
    version: __APP_VERSION__,
    online: watchConnectivity(),
    appUpdate: startAppUpdate(options.serviceWorkerUrl),
    identity,
    meshSettings: createMeshSettings(localStorage),
    start: () => identity.load(),
  }
}
