import { ConfigError } from './config-error'

/**
 * The Origins whose pages may open a socket. An entry is `*` (any), an exact
 * origin (`https://app.example`), or an origin with any port
 * (`http://127.0.0.1:*`).
 *
 * This stops other web sites from using the relay through their visitors'
 * browsers. It cannot stop a non-browser client, which may send any Origin;
 * the rate and connection limits are what bound those.
 */
export interface OriginPolicy {
  allows(origin: string | null): boolean
}

const ENTRY = /^(\*|https?:\/\/[a-z0-9.[\]:-]+?(:\*)?)$/

export const parseOrigins = (list: string): OriginPolicy => {
  const entries = list
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '')
  for (const entry of entries) {
    if (!ENTRY.test(entry)) throw new ConfigError(`ALLOWED_ORIGINS: "${entry}" is not *, an origin, or origin:*`)
  }
  const any = entries.includes('*')
  const exact = new Set(entries.filter((entry) => !entry.endsWith(':*')))
  const anyPort = entries.filter((entry) => entry.endsWith(':*')).map((entry) => entry.slice(0, -1))
  return {
    allows(origin) {
      // Browsers always send Origin on a WebSocket handshake; a client that
      // leaves it out is not a browser, and could as well have sent a fake one.
      if (origin === null || any) return true
      const normal = origin.toLowerCase()
      if (exact.has(normal)) return true
      return anyPort.some((prefix) => normal.startsWith(prefix) && /^\d{1,5}$/.test(normal.slice(prefix.length)))
    },
  }
}
