/**
 * The one place that turns mesh settings (signal worker URLs, public relays
 * beside ours, STUN/TURN servers) and a room's password into the
 * configuration Trystero's `joinRoom` takes. Pure; the settings screen edits
 * `MeshSettingsInput`, validates it here, and stores the result.
 *
 * Defaults come from build-time config (`VITE_SIGNAL_URLS`, `VITE_PUBLIC_RELAYS`,
 * `VITE_STUN_URLS`, comma-separated). Without `VITE_SIGNAL_URLS` the app talks
 * to the local dev worker, `ws://127.0.0.1:8787/r/main` (what `npm start` runs).
 * Without `VITE_STUN_URLS` there is no STUN server: the app contacts no third
 * party, and peers connect on one machine or one network only.
 *
 * The page's `connect-src` lists only the relay origins of the build
 * (`allowedRelayOrigins`: those defaults plus `VITE_ALLOWED_RELAYS`), so the
 * settings screen refuses any other relay instead of saving one the browser
 * would block.
 */
import * as v from 'valibot'
import { AppError, err, ok, type Result } from '../base'
import type { JoinRoomConfig } from 'trystero'
import { buildRelayOrigins, buildSignalUrls, splitList, type BuildEnv } from './build-env'
import { keptOfferPeerConnection } from './kept-offer'
import { cappedPeerConnection } from './pending-cap'
import { closedWhenDropped } from './dropped-close'
import { roomsHeardPeerConnection } from './heard-rooms'
import { closedWhenRefused } from './refused-close'

declare global {
  /** The build-time vars this module reads; Vite fills `import.meta.env` from `VITE_*` variables. */
  interface ImportMetaEnv {
    /** Comma-separated signal worker URLs, e.g. `wss://signal.example/r/main`. */
    readonly VITE_SIGNAL_URLS?: string
    /** Comma-separated public Nostr relays used beside ours; none when unset. */
    readonly VITE_PUBLIC_RELAYS?: string
    /** Comma-separated STUN URLs, e.g. `stun:stun.cloudflare.com:3478`; none when unset. */
    readonly VITE_STUN_URLS?: string
    /** Comma-separated relay origins people may choose in settings beside the defaults, e.g. `wss://relay.example`. */
    readonly VITE_ALLOWED_RELAYS?: string
  }
}

/** Namespaces the app's topics on a relay; changing it splits old and new clients apart. */
export const MESH_APP_ID = 'commonplace/1'

/** Trystero opens one socket per relay; more than this costs every page without adding reach. */
export const MAX_RELAYS = 8

/** Every peer connection gathers candidates from each ICE server: a few are plenty, thousands stall it. */
export const MAX_ICE_SERVERS = 8

interface IceServer {
  readonly urls: readonly string[]
  readonly username?: string
  readonly credential?: string
}

/** Validated settings: every URL parsed and normalised, duplicates removed. */
export interface MeshSettings {
  /** Our signal workers, `ws(s)://host/r/<shard>`. */
  readonly signalUrls: readonly string[]
  /** Public Nostr relays used beside ours (none by default). */
  readonly publicRelays: readonly string[]
  /** STUN and TURN servers; empty means direct connections only. */
  readonly iceServers: readonly IceServer[]
}

/** What a settings form holds before validation. */
export interface MeshSettingsInput {
  readonly signalUrls: readonly string[]
  readonly publicRelays: readonly string[]
  readonly iceServers: readonly IceServer[]
}

export const MeshSettingsCode = {
  notAUrl: 'not-a-url',
  wrongScheme: 'wrong-scheme',
  insecureRelay: 'insecure-relay',
  noRelay: 'no-relay',
  tooManyRelays: 'too-many-relays',
  tooManyIceServers: 'too-many-ice-servers',
  noIceUrl: 'no-ice-url',
  turnNeedsCredentials: 'turn-needs-credentials',
  relayNotAllowed: 'relay-not-allowed',
  malformed: 'malformed',
} as const
export type MeshSettingsCode = (typeof MeshSettingsCode)[keyof typeof MeshSettingsCode]

type MeshSettingsField = 'signalUrls' | 'publicRelays' | 'iceServers'

/** One thing wrong with a settings form, pointing at the field and entry to fix. */
export interface MeshSettingsProblem {
  readonly code: MeshSettingsCode
  readonly field: MeshSettingsField
  /** Index of the entry within its field; -1 for the field as a whole. */
  readonly index: number
  readonly message: string
}

/** Settings that cannot be used where there is nobody to ask, e.g. a bad build-time default. */
export class MeshSettingsError extends AppError<MeshSettingsCode> {
  readonly problems: readonly MeshSettingsProblem[]

  constructor(problems: readonly [MeshSettingsProblem, ...MeshSettingsProblem[]]) {
    super(problems[0].code, problems.map((problem) => problem.message).join('; '))
    this.problems = problems
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])
const ICE_SCHEMES = new Set(['stun:', 'stuns:', 'turn:', 'turns:'])

const problem = (
  code: MeshSettingsCode,
  field: MeshSettingsField,
  index: number,
  message: string,
): MeshSettingsProblem => ({ code, field, index, message })

const parseUrl = (text: string): URL | undefined => {
  try {
    return new URL(text.trim())
  } catch {
    return undefined
  }
}

const checkRelays = (
  field: 'signalUrls' | 'publicRelays',
  urls: readonly string[],
  problems: MeshSettingsProblem[],
  allowedOrigins?: readonly string[],
) => {
  const valid: string[] = []
  urls.forEach((text, index) => {
    const url = parseUrl(text)
    if (url === undefined) {
      problems.push(problem(MeshSettingsCode.notAUrl, field, index, `"${text}" is not a URL`))
    } else if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
      problems.push(problem(MeshSettingsCode.wrongScheme, field, index, `${url.href} must start with wss://`))
    } else if (url.protocol === 'ws:' && !LOOPBACK.has(url.hostname)) {
      // Pages served over https cannot open ws:// sockets, and the topics would travel in clear.
      problems.push(
        problem(MeshSettingsCode.insecureRelay, field, index, `${url.href}: use wss:// beyond this machine`),
      )
    } else if (allowedOrigins !== undefined && !allowedOrigins.includes(url.origin)) {
      // The browser would block the socket (connect-src); saying so here beats a relay that silently never answers.
      problems.push(
        problem(
          MeshSettingsCode.relayNotAllowed,
          field,
          index,
          `${url.href}: this app may only connect to ${allowedOrigins.join(', ')}; whoever builds it can allow more (VITE_ALLOWED_RELAYS)`,
        ),
      )
    } else {
      valid.push(url.href)
    }
  })
  return valid
}

const checkIce = (servers: readonly IceServer[], problems: MeshSettingsProblem[]): IceServer[] =>
  servers.flatMap((server, index) => {
    const before = problems.length
    if (server.urls.length === 0) {
      problems.push(problem(MeshSettingsCode.noIceUrl, 'iceServers', index, 'an ICE server needs at least one URL'))
    }
    const urls = server.urls.map((text) => {
      const url = parseUrl(text)
      if (url === undefined) {
        problems.push(problem(MeshSettingsCode.notAUrl, 'iceServers', index, `"${text}" is not a URL`))
      } else if (!ICE_SCHEMES.has(url.protocol)) {
        problems.push(
          problem(MeshSettingsCode.wrongScheme, 'iceServers', index, `${text} must be stun:, stuns:, turn: or turns:`),
        )
      }
      return { text: text.trim(), turn: url?.protocol === 'turn:' || url?.protocol === 'turns:' }
    })
    // By the parsed scheme: `TURN:` is a TURN server too, and the browser refuses one without credentials.
    const isTurn = urls.some((url) => url.turn)
    if (isTurn && (server.username === undefined || server.credential === undefined)) {
      problems.push(
        problem(
          MeshSettingsCode.turnNeedsCredentials,
          'iceServers',
          index,
          'a TURN server needs a username and a credential',
        ),
      )
    }
    if (problems.length > before) return []
    return [{ ...server, urls: urls.map((url) => url.text) }]
  })

/**
 * Checks a settings form; returns the normalised settings or every problem
 * found. With `allowedOrigins` (the app passes `allowedRelayOrigins()`), a
 * relay on any other origin is a `relay-not-allowed` problem.
 */
export const validateMeshSettings = (
  input: MeshSettingsInput,
  allowedOrigins?: readonly string[],
): Result<MeshSettings, readonly MeshSettingsProblem[]> => {
  const problems: MeshSettingsProblem[] = []
  const signalUrls = [...new Set(checkRelays('signalUrls', input.signalUrls, problems, allowedOrigins))]
  const publicRelays = [...new Set(checkRelays('publicRelays', input.publicRelays, problems, allowedOrigins))].filter(
    (url) => !signalUrls.includes(url),
  )
  const iceServers = checkIce(input.iceServers, problems)
  const relays = signalUrls.length + publicRelays.length
  if (relays === 0 && input.signalUrls.length + input.publicRelays.length === 0) {
    problems.push(problem(MeshSettingsCode.noRelay, 'signalUrls', -1, 'at least one signal worker or relay is needed'))
  }
  if (input.iceServers.length > MAX_ICE_SERVERS) {
    problems.push(
      problem(MeshSettingsCode.tooManyIceServers, 'iceServers', -1, `at most ${MAX_ICE_SERVERS} STUN and TURN servers`),
    )
  }
  if (relays > MAX_RELAYS) {
    problems.push(problem(MeshSettingsCode.tooManyRelays, 'publicRelays', -1, `at most ${MAX_RELAYS} relays in all`))
  }
  return problems.length === 0 ? ok({ signalUrls, publicRelays, iceServers }) : err(problems)
}

/** The shape of stored or imported settings; `validateMeshSettings` then checks what the strings say. */
const StringList = v.array(v.string())
const SettingsShape = v.object({
  signalUrls: StringList,
  publicRelays: StringList,
  iceServers: v.array(
    v.object({ urls: StringList, username: v.exactOptional(v.string()), credential: v.exactOptional(v.string()) }),
  ),
})
const SHAPES: Readonly<Record<MeshSettingsField, string>> = {
  signalUrls: 'URLs',
  publicRelays: 'URLs',
  iceServers: 'servers with urls, and optional username and credential',
}

/**
 * Checks settings of unknown shape (saved JSON, an import) and then validates
 * them: a field that is not a list of the right things is a `malformed` problem.
 */
export const parseMeshSettings = (
  value: unknown,
  allowedOrigins?: readonly string[],
): Result<MeshSettings, readonly MeshSettingsProblem[]> => {
  const parsed = v.safeParse(SettingsShape, value)
  if (parsed.success) return validateMeshSettings(parsed.output, allowedOrigins)
  // An issue without a path is the value itself (not an object): every field is then malformed.
  const wrong = new Set(parsed.issues.map((issue) => issue.path?.[0]?.key))
  return err(
    (Object.keys(SHAPES) as MeshSettingsField[])
      .filter((field) => wrong.has(field) || wrong.has(undefined))
      .map((field) => problem(MeshSettingsCode.malformed, field, -1, `${field} must be a list of ${SHAPES[field]}`)),
  )
}

const throwProblems = (problems: readonly MeshSettingsProblem[]): never => {
  const [first, ...rest] = problems
  throw new MeshSettingsError(
    first === undefined ? [problem(MeshSettingsCode.noRelay, 'signalUrls', -1, 'no relay')] : [first, ...rest],
  )
}

/** The settings a fresh install starts with; throws `MeshSettingsError` if the build was given bad URLs. */
export const defaultMeshSettings = (env: BuildEnv = import.meta.env): MeshSettings => {
  const stun = splitList(env.VITE_STUN_URLS)
  const result = validateMeshSettings({
    signalUrls: buildSignalUrls(env),
    publicRelays: splitList(env.VITE_PUBLIC_RELAYS),
    iceServers: stun.length > 0 ? [{ urls: stun }] : [],
  })
  return result.ok ? result.value : throwProblems(result.error)
}

/**
 * The origins (`wss://host[:port]`) this build may open sockets to: those of
 * its default signal workers and public relays, and `VITE_ALLOWED_RELAYS`.
 * The build writes them into the page's `connect-src` (see `scripts/csp.ts`),
 * and the settings accept relays on these origins only. Throws
 * `MeshSettingsError` for a bad entry, as `defaultMeshSettings` does.
 */
export const allowedRelayOrigins = (env: BuildEnv = import.meta.env): readonly string[] => {
  // Checked here so a bad entry stops the app rather than quietly narrowing what it may reach.
  defaultMeshSettings(env)
  const problems: MeshSettingsProblem[] = []
  checkRelays('publicRelays', splitList(env.VITE_ALLOWED_RELAYS), problems)
  return problems.length > 0 ? throwProblems(problems) : buildRelayOrigins(env)
}

/**
 * The `joinRoom` configuration for one room. `rtcConfig.iceServers` is always
 * set, so Trystero's built-in public STUN servers are never used behind the
 * person's back; TURN servers go there too (Trystero's `turnConfig` would only
 * be appended to its defaults).
 */
/**
 * How long Trystero keeps a connection that no room uses any more: a refused peer's, once our handshake threw. Its
 * default is 123 s, and meanwhile the peer may go on sending: frames of a room it is not in are buffered without a
 * cap (`pendingDataByToken`, @trystero-p2p/core shared-peer.mjs). Measured in e2e/hostile-peer.spec.ts. The option
 * is named `_test_only_` in 0.25.4's types; the type check fails if an upgrade drops it.
 */
export const UNUSED_CONNECTION_MS = 5_000

/**
 * The browser's RTCPeerConnection with a cap on what a pending peer may send (pending-cap.ts), closed once every
 * room that met its peer refused it (refused-close.ts), keeping an unanswered offer when Trystero makes it again
 * (kept-offer.ts), telling which rooms its remote sends frames for (heard-rooms.ts), and closed before Trystero
 * can drop it half-open (dropped-close.ts); none in Node.
 */
let capped: typeof RTCPeerConnection | undefined
const rtcPolyfill = (): { rtcPolyfill?: typeof RTCPeerConnection } => {
  if (typeof RTCPeerConnection === 'undefined') return {}
  capped ??= roomsHeardPeerConnection(
    cappedPeerConnection(closedWhenRefused(closedWhenDropped(keptOfferPeerConnection(RTCPeerConnection)))),
  )
  return { rtcPolyfill: capped }
}

export const buildRoomConfig = (settings: MeshSettings, room: { readonly password: string }): JoinRoomConfig => {
  if (room.password === '') throw new AppError('no-room-password', 'a room needs a password derived from its secret')
  return {
    appId: MESH_APP_ID,
    password: room.password,
    _test_only_sharedPeerIdleMs: UNUSED_CONNECTION_MS,
    ...rtcPolyfill(),
    relayConfig: { urls: [...settings.signalUrls, ...settings.publicRelays] },
    rtcConfig: {
      iceServers: settings.iceServers.map((server) => ({
        urls: [...server.urls],
        ...(server.username === undefined ? {} : { username: server.username }),
        ...(server.credential === undefined ? {} : { credential: server.credential }),
      })),
    },
  }
}
