/**
 * The relay URLs a build is configured with, in a file with no imports: the
 * app reads them through `mesh-config.ts`, and the build itself
 * (`vite.config.ts`) reads them for the page's `connect-src`, so the two
 * cannot disagree.
 */

/** The build-time vars, comma-separated lists; Vite fills `import.meta.env` from `VITE_*` variables. */
export interface BuildEnv {
  readonly VITE_SIGNAL_URLS?: string | undefined
  readonly VITE_PUBLIC_RELAYS?: string | undefined
  readonly VITE_STUN_URLS?: string | undefined
  readonly VITE_ALLOWED_RELAYS?: string | undefined
}

/** The local dev worker (`wrangler dev` on its default port), used when the build names none. */
export const DEFAULT_SIGNAL_URL = 'ws://127.0.0.1:8787/r/main'

/** Splits a comma-separated build-time list; blank entries are ignored. */
export const splitList = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')

/** The signal workers of a build: `VITE_SIGNAL_URLS`, or the local dev worker. */
export const buildSignalUrls = (env: BuildEnv): string[] => {
  const urls = splitList(env.VITE_SIGNAL_URLS)
  return urls.length > 0 ? urls : [DEFAULT_SIGNAL_URL]
}

const socketOrigin = (text: string): string[] => {
  try {
    const url = new URL(text)
    return url.protocol === 'ws:' || url.protocol === 'wss:' ? [url.origin] : []
  } catch {
    return []
  }
}

/**
 * The origins of every relay the build names (signal workers, public relays,
 * `VITE_ALLOWED_RELAYS`), once each. Entries that are not socket URLs are left
 * out here; `allowedRelayOrigins` in `mesh-config.ts` refuses them.
 */
export const buildRelayOrigins = (env: BuildEnv): string[] => [
  ...new Set(
    [...buildSignalUrls(env), ...splitList(env.VITE_PUBLIC_RELAYS), ...splitList(env.VITE_ALLOWED_RELAYS)].flatMap(
      socketOrigin,
    ),
  ),
]
