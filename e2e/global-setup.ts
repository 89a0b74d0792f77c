/**
 * Builds the app once, starts the real signal worker and serves the build, all
 * on free ports of 127.0.0.1; tests read the URLs from the environment (see
 * `env.ts`). The returned function stops both after the run.
 */
import { buildApp } from '../scripts/build-app.ts'
import { freePort } from '../scripts/free-port.ts'
import { startSignalWorker } from '../scripts/signal-worker-process.ts'
import { serveBuild } from '../scripts/static-server.ts'
import { E2E_BUILD, e2eDist, envKeys } from './env.ts'

export default async function globalSetup(): Promise<() => Promise<void>> {
  const signalPort = await freePort()
  const relayUrl = `ws://127.0.0.1:${signalPort}/r/main`
  const [started, built] = await Promise.allSettled([
    // Every page of the run comes from one address, 127.0.0.1: the per-address budgets, meant for one person's
    // devices, would be shared by all specs' pages at once (a hostile peer's spec starved the others' signalling).
    // Each socket keeps its own limits.
    startSignalWorker({
      port: signalPort,
      vars: {
        ADDRESS_RATE_BURST: '1000000',
        ADDRESS_RATE_PER_SECOND: '1000000',
        ADDRESS_BYTES_BURST: '1000000000',
        ADDRESS_BYTES_PER_SECOND: '1000000000',
        MAX_CONNECTIONS_PER_IP: '1000',
      },
    }),
    buildApp({ outDir: e2eDist, build: E2E_BUILD, signalUrls: relayUrl }),
  ])
  // A failed build must not leave the worker running: it is its own process group and outlives us.
  if (started.status === 'rejected') throw started.reason
  const worker = started.value
  if (built.status === 'rejected') {
    await worker.stop()
    throw built.reason
  }
  // Served with the build's own `_headers`, as `npm start` serves it.
  const app = await freePort()
    .then((port) => serveBuild({ root: e2eDist, port }))
    .catch(async (error: unknown) => {
      await worker.stop()
      throw error
    })

  process.env[envKeys.appUrl] = app.url
  process.env[envKeys.signalHttpUrl] = worker.httpUrl
  process.env[envKeys.signalRelayUrl] = worker.relayUrl

  return async () => {
    await Promise.all([app.close(), worker.stop()])
  }
}
