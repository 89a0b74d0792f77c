import { ConfigError } from './config-error'
import { parseOrigins, type OriginPolicy } from './origins'

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
  /** Open sockets from one IP address on one shard. */
  readonly maxConnectionsPerIp: number
  readonly origins: OriginPolicy
}

/** The vars as wrangler passes them: strings from `[vars]`, or numbers if written unquoted. */
export type LimitVars = Partial<Record<keyof typeof VAR_DEFAULTS | 'ALLOWED_ORIGINS', string | number>>

const VAR_DEFAULTS = {
  MAX_FRAME_BYTES: 131_072,
  MAX_SUBSCRIPTIONS_PER_SOCKET: 8,
  MAX_TOPICS_PER_SUBSCRIPTION: 250,
  MAX_TOPICS_PER_SOCKET: 300,
  RATE_BURST: 120,
  RATE_PER_SECOND: 30,
  MAX_CONNECTIONS_PER_IP: 64,
} as const

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

/** Reads the limits; throws `ConfigError` for a var that is set but unusable. */
export const parseLimits = (vars: LimitVars): Limits => ({
  maxFrameBytes: positiveInt(vars, 'MAX_FRAME_BYTES'),
  maxSubscriptionsPerSocket: positiveInt(vars, 'MAX_SUBSCRIPTIONS_PER_SOCKET'),
  maxTopicsPerSubscription: positiveInt(vars, 'MAX_TOPICS_PER_SUBSCRIPTION'),
  maxTopicsPerSocket: positiveInt(vars, 'MAX_TOPICS_PER_SOCKET'),
  rateBurst: positiveInt(vars, 'RATE_BURST'),
  ratePerSecond: positiveInt(vars, 'RATE_PER_SECOND'),
  maxConnectionsPerIp: positiveInt(vars, 'MAX_CONNECTIONS_PER_IP'),
  origins: parseOrigins(String(vars.ALLOWED_ORIGINS ?? DEFAULT_ALLOWED_ORIGINS)),
})
