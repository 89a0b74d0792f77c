/**
 * Runs the signal worker locally with `wrangler dev` (workerd from npm, no
 * network, nothing reported anywhere). It runs in its own process group so
 * stopping it also stops wrangler's workerd children, which otherwise outlive it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface SignalWorkerProcess {
  /** http://127.0.0.1:<port> */
  readonly httpUrl: string
  /** ws://127.0.0.1:<port>/r/main, the relay URL Trystero is given. */
  readonly relayUrl: string
  stop(): Promise<void>
}

const workerDir = fileURLToPath(new URL('../signal-worker/', import.meta.url))
const wrangler = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url))

const quietEnv = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_LOG: 'warn',
  NO_D1_WARNING: 'true',
}

const waitForHealth = async (url: string, child: ChildProcess, signal: AbortSignal): Promise<void> => {
  while (!signal.aborted) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`)
    const healthy = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    )
    if (healthy) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the signal worker did not become ready in time')
}

const killGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // The group is already gone.
  }
}

export const startSignalWorker = async (options: {
  port: number
  timeoutMs?: number
  log?: (line: string) => void
  /** `wrangler.toml` vars to replace, e.g. limits a bench must raise. */
  vars?: Readonly<Record<string, string>>
}): Promise<SignalWorkerProcess> => {
  const child = spawn(
    process.execPath,
    [
      wrangler,
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--log-level',
      'warn',
      '--show-interactive-dev-session=false',
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ],
    { cwd: workerDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...quietEnv } },
  )
  const log = options.log ?? (() => undefined)
  child.stdout.on('data', (chunk: Buffer) => log(chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => log(chunk.toString()))

  const httpUrl = `http://127.0.0.1:${options.port}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    killGroup(child, 'SIGTERM')
    const forced = setTimeout(() => killGroup(child, 'SIGKILL'), 3000)
    await exited
    clearTimeout(forced)
  }
  try {
    await waitForHealth(httpUrl, child, AbortSignal.timeout(options.timeoutMs ?? 30_000))
  } catch (error) {
    await stop()
    throw error
  }
  return { httpUrl, relayUrl: `ws://127.0.0.1:${options.port}/r/main`, stop }
}
