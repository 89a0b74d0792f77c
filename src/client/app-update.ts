import { Workbox } from 'workbox-window'
import { Cell, describeError, type Observable } from '../base'

/**
 * Where the installed app stands against the newest deployed version:
 * - `unsupported`: no service worker here (the app still runs, online only);
 * - `installing`: the first visit is caching the app for offline use;
 * - `offline-ready`: the app is cached and opens without a network;
 * - `update-available`: a newer version is downloaded and waits for consent;
 * - `updating`: the person agreed; the page reloads once the new version controls it;
 * - `failed`: registering the service worker failed (the message says why).
 */
export type AppUpdateState =
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'installing' }
  | { readonly kind: 'offline-ready' }
  | { readonly kind: 'update-available' }
  | { readonly kind: 'updating' }
  | { readonly kind: 'failed'; readonly reason: string }

export interface AppUpdate {
  readonly state: Observable<AppUpdateState>
  /** Asks the server whether a newer version exists; resolves when the check is done. */
  checkForUpdate(): Promise<void>
  /** Activates the waiting version and reloads the page into it. */
  applyUpdate(): void
}

/** How often an open page looks for a new version, besides when it becomes visible again. */
const CHECK_INTERVAL_MS = 60 * 60 * 1000

/**
 * Registers the service worker and follows its life cycle. The new version never
 * takes over on its own: it waits until `applyUpdate`, so nothing typed in an open
 * page is lost to a surprise reload.
 */
export const startAppUpdate = (
  scriptUrl: string | undefined,
  reload: () => void = () => {
    location.reload()
  },
): AppUpdate => {
  const state = new Cell<AppUpdateState>({ kind: 'unsupported' })
  if (scriptUrl === undefined || !('serviceWorker' in navigator)) {
    return { state, checkForUpdate: () => Promise.resolve(), applyUpdate: () => undefined }
  }

  const workbox = new Workbox(scriptUrl, { scope: '/', type: 'classic' })
  state.set({ kind: navigator.serviceWorker.controller ? 'offline-ready' : 'installing' })

  workbox.addEventListener('installed', (event) => {
    if (!event.isUpdate) state.set({ kind: 'offline-ready' })
  })
  workbox.addEventListener('waiting', () => {
    state.set({ kind: 'update-available' })
  })
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only a version the person accepted reloads the page; the first install just takes control.
    if (state.get().kind === 'updating') reload()
  })

  const check = async (): Promise<void> => {
    try {
      await workbox.update()
    } catch {
      // Offline or server gone: the next check will try again; the cached app keeps working.
    }
  }

  workbox.register().then(
    () => {
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') void check()
      })
      setInterval(() => void check(), CHECK_INTERVAL_MS)
    },
    (error: unknown) => {
      state.set({ kind: 'failed', reason: describeError(error) })
    },
  )

  return {
    state,
    checkForUpdate: check,
    applyUpdate: () => {
      if (state.get().kind !== 'update-available') return
      state.set({ kind: 'updating' })
      workbox.messageSkipWaiting()
    },
  }
}
