import { ConfigError } from './config-error'
import { parseOrigins, type OriginPolicy } from './origins'
import { parseShards, type ShardPolicy } from './shards'

/** Every limit the relay enforces; each comes from a `wrangler.toml` var or its default. */
export interface Limits {
  /** Largest frame accepted, in bytes of UTF-8. */
  readonly maxFrameBytes: number
  readonly maxSubscriptionsPerSocket: number
  /** Trystero sends at most 250 topics in one REQ. */
  readonly maxTopicsPerSubscription: number
  /** Across all subscriptions of one socket; they must fit the 16 KiB socket attachment. */
  readonly maxTopicsPerSocket: number
  /** Token bucket per socket: the burst it allows and the steady rate, in frames. */
  readonly rateBurst: number
  readonly ratePerSecond: number
  /** Token buckets per address (IPv6: per /64) on one shard, shared by its sockets: frames, and bytes of UTF-8. */
  readonly addressRateBurst: number
  readonly addressRatePerSecond: number
  readonly addressBytesBurst: number
  readonly addressBytesPerSecond: number
  /** Open sockets from one address (IPv6: one /64) on one shard. */
  readonly maxConnectionsPerIp: number
  readonly origins: OriginPolicy
  readonly shards: ShardPolicy
  /** Whether `CF-Connecting-IP` was set by Cloudflare's edge and may be trusted (see `client-address.ts`). */
  readonly behindCloudflareEdge: boolean
}

/** The vars as wrangler passes them: strings from `[vars]`, or numbers if written unquoted. */
export type LimitVars = Partial<
  Record<keyof typeof VAR_DEFAULTS | 'ALLOWED_ORIGINS' | 'ALLOWED_SHARDS' | 'BEHIND_CLOUDFLARE_EDGE', string | number>
>

const VAR_DEFAULTS = {
  MAX_FRAME_BYTES: 131_072,
  MAX_SUBSCRIPTIONS_PER_SOCKET: 8,
  MAX_TOPICS_PER_SUBSCRIPTION: 250,
  MAX_TOPICS_PER_SOCKET: 300,
  RATE_BURST: 120,
  RATE_PER_SECOND: 30,
  ADDRESS_RATE_BURST: 480,
  ADDRESS_RATE_PER_SECOND: 120,
  ADDRESS_BYTES_BURST: 1_048_576,
  ADDRESS_BYTES_PER_SECOND: 262_144,
  MAX_CONNECTIONS_PER_IP: 64,
} as const

/** The shard the app uses unless it is built with another (`VITE_SIGNAL_URLS`). */
const DEFAULT_ALLOWED_SHARDS = 'main'

/** Only pages served from this machine, on any port: a deployment lists its own origin. */
export const DEFAULT_ALLOWED_ORIGINS = 'http://127.0.0.1:*,http://localhost:*'

const positiveInt = (vars: LimitVars, name: keyof typeof VAR_DEFAULTS): number => {
  const raw = vars[name]
  if (raw === undefined || raw === '') return VAR_DEFAULTS[name]
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ConfigError(`${name} must be a positive integer, not "${raw}"`)
  return value
}

/** Off unless set: trusting `CF-Connecting-IP` where a client can write it would let it pick its own budget. */
const flag = (vars: LimitVars, name: 'BEHIND_CLOUDFLARE_EDGE'): boolean => {
  const raw = String(vars[name] ?? 'false').trim()
  if (raw === 'true' || raw === 'false') return raw === 'true'
  throw new ConfigError(`${name} must be "true" or "false", not "${raw}"`)
}

/** Reads the limits; throws `ConfigError` for a var that is set but unusable. */
export const parseLimits = (vars: LimitVars): Limits => {
  const maxFrameBytes = positiveInt(vars, 'MAX_FRAME_BYTES')
  const addressBytesBurst = positiveInt(vars, 'ADDRESS_BYTES_BURST')
  // A burst smaller than the largest frame would refuse such frames forever, as "rate-limited".
  if (addressBytesBurst < maxFrameBytes) {
    throw new ConfigError(
      `ADDRESS_BYTES_BURST (${addressBytesBurst}) must be at least MAX_FRAME_BYTES (${maxFrameBytes})`,
    )
  }
  return {
    maxFrameBytes,
    maxSubscriptionsPerSocket: positiveInt(vars, 'MAX_SUBSCRIPTIONS_PER_SOCKET'),
    maxTopicsPerSubscription: positiveInt(vars, 'MAX_TOPICS_PER_SUBSCRIPTION'),
    maxTopicsPerSocket: positiveInt(vars, 'MAX_TOPICS_PER_SOCKET'),
    rateBurst: positiveInt(vars, 'RATE_BURST'),
    ratePerSecond: positiveInt(vars, 'RATE_PER_SECOND'),
    addressRateBurst: positiveInt(vars, 'ADDRESS_RATE_BURST'),
    addressRatePerSecond: positiveInt(vars, 'ADDRESS_RATE_PER_SECOND'),
    addressBytesBurst,
    addressBytesPerSecond: positiveInt(vars, 'ADDRESS_BYTES_PER_SECOND'),
    maxConnectionsPerIp: positiveInt(vars, 'MAX_CONNECTIONS_PER_IP'),
    origins: parseOrigins(String(vars.ALLOWED_ORIGINS ?? DEFAULT_ALLOWED_ORIGINS)),
    shards: parseShards(String(vars.ALLOWED_SHARDS ?? DEFAULT_ALLOWED_SHARDS)),
    behindCloudflareEdge: flag(vars, 'BEHIND_CLOUDFLARE_EDGE'),
  }
}
