/**
 * A signal worker and a static server of their own, each behind a recording proxy, and an app build that knows
 * only the proxies: every byte either server receives passes through a recorder first. The build is its own (the
 * suite's build names the suite's worker), in a directory of its own under `e2e/.tmp`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { buildApp } from '../scripts/build-app.ts'
import { freePort } from '../scripts/free-port.ts'
import { startSignalWorker } from '../scripts/signal-worker-process.ts'
import { serveBuild } from '../scripts/static-server.ts'
import { e2eTmp } from './env.ts'
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts'

export interface RecordedServers {
  /** The app, as the browser reaches it: through the static server's recorder. */
  readonly appUrl: string
  /** The relay URL the build was given: through the signal worker's recorder. */
  readonly relayUrl: string
  readonly signal: RecordingProxy
  readonly statics: RecordingProxy
  close(): Promise<void>
}

export const startRecordedServers = async (): Promise<RecordedServers> => {
  const closers: (() => Promise<void>)[] = []
  const close = async () => {
    for (const closer of closers.reverse()) await closer()
  }
  try {
    const worker = await startSignalWorker({ port: await freePort() })
    closers.push(() => worker.stop())
    const signal = await startRecordingProxy(Number(new URL(worker.httpUrl).port))
    closers.push(() => signal.close())
    const relayUrl = `ws://127.0.0.1:${String(signal.port)}/r/main`
    await mkdir(e2eTmp, { recursive: true })
    const dist = await mkdtemp(join(e2eTmp, 'privacy-dist-'))
    closers.push(() => rm(dist, { recursive: true, force: true }))
    await buildApp({ outDir: dist, build: 'e2e-privacy', signalUrls: relayUrl })
    const app = await serveBuild({ root: dist, port: await freePort() })
    closers.push(() => app.close())
    const statics = await startRecordingProxy(Number(new URL(app.url).port))
    closers.push(() => statics.close())
    return { appUrl: `http://127.0.0.1:${String(statics.port)}`, relayUrl, signal, statics, close }
  } catch (error) {
    await close()
    throw error
  }
}
