/**
 * The signal worker: the only server of the app. It relays Trystero's Nostr
 * signaling between browsers and never sees user data (see README.md).
 *
 * Routes: `GET /health` and `GET /r/<shard>` (WebSocket). Each shard is one
 * Durable Object; peers that should find each other use the same shard. Only
 * the shards of `ALLOWED_SHARDS` exist: any other name is a 404 that touches
 * no object.
 */
import { ConfigError } from './config-error'
import type { Env } from './env'
import { parseLimits, type Limits } from './limits'
import type { ShardCounts } from './shard'
import { SHARD_NAME } from './shards'
import { VERSION } from './version'

export { Shard } from './shard'

const SHARD_PATH = /^\/r\/([^/]*)\/?$/

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

const unknownShard = (): Response => text(404, 'Not found: no such shard on this relay')

/** `GET /health?shard=<name>`: version, and the counts of one known shard (the first listed unless named). */
const health = async (env: Env, limits: Limits, url: URL): Promise<Response> => {
  const shard = url.searchParams.get('shard') ?? limits.shards.first
  if (!SHARD_NAME.test(shard)) return text(400, 'invalid: shard names are 1-64 of A-Z a-z 0-9 _ -')
  if (!limits.shards.allows(shard)) return unknownShard()
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
    return request.method === 'GET' ? health(env, limits, url) : text(405, 'GET only')
  }
  const shard = SHARD_PATH.exec(url.pathname)?.[1]
  if (shard === undefined) return text(404, 'Not found: the relay lives at /r/<shard>')
  if (!limits.shards.allows(shard)) return unknownShard()
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
