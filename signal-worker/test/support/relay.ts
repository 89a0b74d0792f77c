/**
 * Runs the real signal worker inside workerd (Miniflare) for the tests: the
 * TypeScript is bundled with esbuild, and the bindings come from
 * `wrangler.toml` through wrangler itself, so the tests run what `wrangler dev`
 * runs. Each relay listens on its own free port on 127.0.0.1.
 */
import { build } from 'esbuild'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { fileURLToPath } from 'node:url'
import { unstable_getMiniflareWorkerOptions } from 'wrangler'

const root = fileURLToPath(new URL('../../', import.meta.url))
const entry = `${root}src/index.ts`

let bundled: Promise<string> | undefined
const bundle = (): Promise<string> =>
  (bundled ??= build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    write: false,
  }).then((result) => result.outputFiles[0]?.text ?? ''))

export interface Relay {
  /** `ws://127.0.0.1:<port>` */
  readonly wsBase: string
  /** `http://127.0.0.1:<port>` */
  readonly httpBase: string
  /** Evicts the shard's Durable Object as hibernation would: sockets stay open, the object is rebuilt on the next event. */
  hibernate(shard: string): Promise<void>
  dispose(): Promise<void>
}

/** Starts the worker with the vars of `wrangler.toml`, some replaced by `vars`. */
export const startRelay = async (vars: Record<string, string> = {}): Promise<Relay> => {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(`${root}wrangler.toml`)
  // One bundled module: wrangler's rules for finding more modules do not apply (and Miniflare 5 refuses them).
  delete workerOptions.modulesRules
  const name = 'commonplace-signal'
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...workerOptions,
      name,
      modules: true,
      script: await bundle(),
      scriptPath: entry.replace(/\.ts$/, '.js'),
      bindings: Object.assign({}, workerOptions.bindings, vars),
      host: '127.0.0.1',
      port: 0,
    }),
  )
  const url = await mf.ready
  const httpBase = url.origin
  return {
    httpBase,
    wsBase: httpBase.replace(/^http/, 'ws'),
    hibernate: (shard) => mf.unsafeEvictDurableObject(name, 'Shard', { name: shard, webSockets: 'hibernate' }),
    dispose: () => mf.dispose(),
  }
}
