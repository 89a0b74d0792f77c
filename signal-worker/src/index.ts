/**
 * The signal worker: the only server of the app. It relays Trystero's Nostr
 * signaling between browsers and never sees user data (see README.md).
 *
 * Routes: `GET /health` and `GET /r/<shard>` (WebSocket). Each shard is one
 * Durable Object; peers that should find each other use the same shard.
 */
import { ConfigError } from './config-error'
import type { Env } from './env'
import { parseLimits, type Limits } from './limits'
import type { ShardCounts } from './shard'
import { VERSION } from './version'

export { Shard } from './shard'

const SHARD_PATH = /^\/r\/([A-Za-z0-9_-]{1,64})\/?$/
const HEALTH_SHARD = /^[A-Za-z0-9_-]{1,64}$/

const limitsCache = new WeakMap<Env, Limits>()
const limitsOf = (env: Env): Limits => {
  let limits = limitsCache.get(env)
  if (limits === undefined) {
    limits = parseLimits(env)
    limitsCache.set(env, limits)
  }
  return limits
}

const text = (status: number, body: string): Response =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })

const shardStub = (env: Env, shard: string): DurableObjectStub => env.SHARDS.get(env.SHARDS.idFromName(shard))

/** `GET /health?shard=<name>`: version, and the counts of one shard (`main` unless named). */
const health = async (env: Env, url: URL): Promise<Response> => {
  const shard = url.searchParams.get('shard') ?? 'main'
  if (!HEALTH_SHARD.test(shard)) return text(400, 'invalid: shard names are 1-64 of A-Z a-z 0-9 _ -')
  const counts = await (await shardStub(env, shard).fetch('https://shard/health')).json<ShardCounts>()
  return Response.json(
    { ok: true, version: VERSION, shard, ...counts },
    { headers: { 'access-control-allow-origin': '*', 'cache-control': 'no-store' } },
  )
}

const route = async (request: Request, env: Env): Promise<Response> => {
  // Read first, so a bad var is reported here rather than inside a shard, where its class is lost.
  const limits = limitsOf(env)
  const url = new URL(request.url)
  if (url.pathname === '/health') {
    return request.method === 'GET' ? health(env, url) : text(405, 'GET only')
  }
  const shard = SHARD_PATH.exec(url.pathname)?.[1]
  if (shard === undefined) return text(404, 'Not found: the relay lives at /r/<shard>')
  if (request.method !== 'GET' || request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
    return text(426, 'This is a WebSocket endpoint')
  }
  if (!limits.origins.allows(request.headers.get('origin'))) return text(403, 'Origin not allowed')
  return shardStub(env, shard).fetch(request)
}

export default {
  async fetch(request, env): Promise<Response> {
    try {
      return await route(request, env)
    } catch (error) {
      if (error instanceof ConfigError) return text(500, `bad-config: ${error.message}`)
      throw error
    }
  },
} satisfies ExportedHandler<Env>
