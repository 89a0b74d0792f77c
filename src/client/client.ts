import type { Observable } from '../base'
import { startAppUpdate, type AppUpdate } from './app-update'
import { watchConnectivity } from './connectivity'

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
}

export const createClient = (options: ClientOptions = {}): Client => ({
  version: __APP_VERSION__,
  online: watchConnectivity(),
  appUpdate: startAppUpdate(options.serviceWorkerUrl),
})
