import { Workbox } from 'workbox-window'
import { Cell, type Observable } from '../base'

/** Why the app could not be saved for offline use although the browser can do it; words for people. */
export interface AppUpdateProblem {
  readonly code: 'offline-copy-failed'
  readonly message: string
}

/**
 * Where the installed app stands against the newest deployed version:
 * - `unsupported`: this browser keeps no service worker (none at all, or refused by a private mode,
 *   a policy or blocked site data); the app still runs, online only;
 * - `installing`: the first visit is caching the app for offline use;
 * - `offline-ready`: the app is cached and opens without a network;
 * - `update-available`: a newer version is downloaded and waits for consent;
 * - `updating`: the person agreed; the page reloads once the new version controls it;
 * - `failed`: registering the service worker failed where the browser supports it.
 */
export type AppUpdateState =
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'installing' }
  | { readonly kind: 'offline-ready' }
  | { readonly kind: 'update-available' }
  | { readonly kind: 'updating' }
  | { readonly kind: 'failed'; readonly problem: AppUpdateProblem }

const offlineCopyFailed: AppUpdateProblem = {
  code: 'offline-copy-failed',
  message:
    'Commonplace could not be saved for offline use this time; it works online and tries again when it next opens',
}

/** What the app could find out after `register` failed. */
export interface RegistrationFacts {
  /** A registration for our scope exists (an earlier visit installed one). */
  readonly registered: boolean
  /** The service worker script can be fetched from the server right now. */
  readonly scriptLoads: boolean
}

/**
 * What a failed registration means for the person. A browser that refuses service workers (a private
 * mode, a policy, blocked site data) rejects with `SecurityError` or `NotSupportedError`; one whose
 * `register` is switched off hands back no registration, and workbox-window then fails reading it:
 * the script loads, yet nothing is registered. A script that did not load, or a failure beside a working
 * registration, may pass next time. The error's own text goes to the console only, never to the screen.
 */
export const registrationOutcome = (error: unknown, facts: RegistrationFacts): AppUpdateState => {
  const refused =
    error instanceof DOMException && (error.name === 'SecurityError' || error.name === 'NotSupportedError')
  if (refused || (facts.scriptLoads && !facts.registered)) return { kind: 'unsupported' }
  return { kind: 'failed', problem: offlineCopyFailed }
}

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
    if (state.get().kind === 'unsupported') return
    try {
      await workbox.update()
    } catch {
      // Offline or server gone: the next check will try again; the cached app keeps working.
    }
  }

  const register = async (): Promise<void> => {
    try {
      await workbox.register()
    } catch (error) {
      // For the developer's console; the person gets words from the state.
      console.warn('The service worker was not registered:', error)
      const [registration, scriptLoads] = await Promise.all([
        navigator.serviceWorker.getRegistration('/').catch(() => undefined),
        fetch(scriptUrl, { method: 'HEAD', cache: 'no-store' }).then(
          (response) => response.ok,
          () => false,
        ),
      ])
      state.set(registrationOutcome(error, { registered: registration !== undefined, scriptLoads }))
      return
    }
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void check()
    })
    setInterval(() => void check(), CHECK_INTERVAL_MS)
  }
  void register()

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
