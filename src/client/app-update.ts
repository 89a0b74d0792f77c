import { Workbox } from 'workbox-window'
import { Cell, ok, type Observable, type Result } from '../base'
import type { BrowserEdges } from './edges'
import type { Problem } from './problem-words'

/** Why the app could not be saved for offline use although the browser can do it; words for people. */
interface AppUpdateProblem {
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
  /** Asks the server whether a newer version exists; resolves when the check is done (offline is no failure). */
  checkForUpdate(): Promise<Result<void, Problem>>
  /** Activates the waiting version and reloads the page into it; does nothing unless one is waiting. */
  applyUpdate(): Promise<Result<void, Problem>>
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
  edges: Pick<BrowserEdges, 'serviceWorker' | 'visibility'>,
  reload: () => void = () => {
    location.reload()
  },
): { readonly api: AppUpdate; stop(): void } => {
  const state = new Cell<AppUpdateState>({ kind: 'unsupported' })
  const container = edges.serviceWorker
  if (scriptUrl === undefined || container === undefined) {
    const api: AppUpdate = {
      state,
      checkForUpdate: () => Promise.resolve(ok(undefined)),
      applyUpdate: () => Promise.resolve(ok(undefined)),
    }
    return { api, stop: () => undefined }
  }

  const workbox = new Workbox(scriptUrl, { scope: '/', type: 'classic' })
  state.set({ kind: container.controller ? 'offline-ready' : 'installing' })

  const onInstalled = (event: { readonly isUpdate?: boolean | undefined }) => {
    if (event.isUpdate !== true) state.set({ kind: 'offline-ready' })
  }
  const onWaiting = () => {
    state.set({ kind: 'update-available' })
  }
  const onControllerChange = () => {
    // Only a version the person accepted reloads the page; the first install just takes control.
    if (state.get().kind === 'updating') reload()
  }
  workbox.addEventListener('installed', onInstalled)
  workbox.addEventListener('waiting', onWaiting)
  container.addEventListener('controllerchange', onControllerChange)

  const check = async (): Promise<Result<void, Problem>> => {
    if (state.get().kind === 'unsupported') return ok(undefined)
    try {
      await workbox.update()
    } catch {
      // Offline or server gone: the next check will try again; the cached app keeps working.
    }
    return ok(undefined)
  }
  const onVisible = () => {
    if (edges.visibility.visibilityState === 'visible') void check()
  }
  let interval: ReturnType<typeof setInterval> | undefined
  let stopped = false

  const register = async (): Promise<void> => {
    try {
      await workbox.register()
    } catch (error) {
      // For the developer's console; the person gets words from the state.
      console.warn('The service worker was not registered:', error)
      const [registration, scriptLoads] = await Promise.all([
        container.getRegistration('/').catch(() => undefined),
        fetch(scriptUrl, { method: 'HEAD', cache: 'no-store' }).then(
          (response) => response.ok,
          () => false,
        ),
      ])
      state.set(registrationOutcome(error, { registered: registration !== undefined, scriptLoads }))
      return
    }
    if (stopped) return
    edges.visibility.addEventListener('visibilitychange', onVisible)
    interval = setInterval(() => void check(), CHECK_INTERVAL_MS)
  }
  void register()

  return {
    api: {
      state,
      checkForUpdate: check,
      applyUpdate: () => {
        if (state.get().kind !== 'update-available') return Promise.resolve(ok(undefined))
        state.set({ kind: 'updating' })
        workbox.messageSkipWaiting()
        return Promise.resolve(ok(undefined))
      },
    },
    stop: () => {
      stopped = true
      workbox.removeEventListener('installed', onInstalled)
      workbox.removeEventListener('waiting', onWaiting)
      container.removeEventListener('controllerchange', onControllerChange)
      edges.visibility.removeEventListener('visibilitychange', onVisible)
      clearInterval(interval)
    },
  }
}
