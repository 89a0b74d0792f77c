/**
 * `npm start`: builds the app against a local signal worker, starts that worker
 * with `wrangler dev`, and serves the production build on 127.0.0.1. Ctrl-C
 * stops both. Ports: PORT (app, default 4173) and SIGNAL_PORT (default 8787).
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readHeadersFile } from './headers-file.ts'
import { startSignalWorker } from './signal-worker-process.ts'
import { serveStatic } from './static-server.ts'

const appPort = Number(process.env.PORT ?? 4173)
const signalPort = Number(process.env.SIGNAL_PORT ?? 8787)
const root = fileURLToPath(new URL('../', import.meta.url))
const relayUrl = `ws://127.0.0.1:${signalPort}/r/main`

console.log('Building the app…')
const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
  env: { VITE_SIGNAL_URLS: relayUrl, ...process.env },
})
if (build.status !== 0) process.exit(build.status ?? 1)

const dist = `${root}dist`
// The build's own `_headers` (CSP with frame-ancestors, X-Frame-Options, COOP): what a host is told to send.
const headers = await readHeadersFile(dist)

console.log('Starting the signal worker…')
const worker = await startSignalWorker({ port: signalPort })
const app = await serveStatic({ root: dist, port: appPort, headers }).catch(async (error: unknown) => {
  await worker.stop()
  throw error
})

console.log(`
  Commonplace:    ${app.url}
  Signal worker:  ${worker.httpUrl}  (relay ${relayUrl})

  Press Ctrl-C to stop both.
`)

let stopping = false
const stop = async (): Promise<void> => {
  if (stopping) return
  stopping = true
  console.log('\nStopping…')
  await Promise.all([app.close(), worker.stop()])
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
