/**
 * What the relay e2e spec and `bench/relay.bench.ts` share: a bare test page
 * that runs `src/mesh` (bundled with esbuild from `relay-page.ts`, served on
 * 127.0.0.1, an origin the worker admits by default), a page object to drive
 * it, and a signal worker of their own that they may stop and start again.
 */
import type { Page } from '@playwright/test'
import { freePort } from '../scripts/free-port.ts'
import { startSignalWorker, type SignalWorkerProcess } from '../scripts/signal-worker-process.ts'
import type { StaticServer } from '../scripts/static-server.ts'
import { serveTestPage } from './test-page.ts'
import type { ReceivedBlob } from './relay-page.ts'

/** Builds the relay test page and serves it (`test-page.ts`). */
export const serveRelayPage = (): Promise<StaticServer> =>
  serveTestPage(new URL('./relay-page.ts', import.meta.url), 'relay test')

/** A signal worker on a fixed port, so it can be killed and started again at the same URL. */
export class RestartableWorker {
  readonly port: number
  readonly #vars: Readonly<Record<string, string>>
  #process: SignalWorkerProcess | undefined

  private constructor(port: number, vars: Readonly<Record<string, string>>) {
    this.port = port
    this.#vars = vars
  }

  /** `vars` replace some of `wrangler.toml`'s, e.g. limits a bench must raise. */
  static async start(vars: Readonly<Record<string, string>> = {}): Promise<RestartableWorker> {
    const worker = new RestartableWorker(await freePort(), vars)
    await worker.restart()
    return worker
  }

  get relayUrl(): string {
    return `ws://127.0.0.1:${this.port}/r/main`
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** Counts of the `main` shard, from `GET /health`. */
  async health(): Promise<{ sockets: number; subscriptions: number; topics: number }> {
    const response = await fetch(`${this.httpUrl}/health?shard=main`)
    return (await response.json()) as { sockets: number; subscriptions: number; topics: number }
  }

  /** Kills the whole process group (wrangler and workerd): sockets drop as in a crash. */
  async stop(): Promise<void> {
    await this.#process?.stop()
    this.#process = undefined
    // wrangler exits before its workerd: wait until nothing answers on the port, so a restart binds it afresh.
    const deadline = Date.now() + 10_000
    while (
      await fetch(`${this.httpUrl}/health`).then(
        () => true,
        () => false,
      )
    ) {
      if (Date.now() > deadline) throw new Error(`the signal worker on port ${this.port} did not stop`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  async restart(): Promise<void> {
    await this.stop()
    this.#process = await startSignalWorker({ port: this.port, vars: this.#vars })
  }
}

/** One browser page in a swarm, driven through `window.relayTest`. */
export class RelayPeer {
  readonly page: Page
  id = ''

  constructor(page: Page) {
    this.page = page
  }

  async open(pageUrl: string): Promise<this> {
    await this.page.goto(pageUrl)
    await this.page.waitForFunction(() => 'relayTest' in window)
    return this
  }

  /** This page's peer id before it joins. */
  selfId(): Promise<string> {
    return this.page.evaluate(() => window.relayTest.selfId())
  }

  async join(relayUrl: string, roomId: string, password = 'relay-test-password'): Promise<void> {
    this.id = await this.page.evaluate((options) => window.relayTest.join(options), {
      relayUrls: [relayUrl],
      roomId,
      password,
    })
  }

  /** Joins another room and stays in it. */
  async hold(relayUrl: string, roomId: string, password = 'relay-test-password'): Promise<void> {
    await this.page.evaluate((options) => window.relayTest.hold(options), { relayUrls: [relayUrl], roomId, password })
  }

  peers(): Promise<string[]> {
    return this.page.evaluate(() => window.relayTest.peers())
  }

  /** Waits until the present peers are exactly `ids`. */
  async waitForPeers(ids: readonly string[], timeoutMs = 15_000): Promise<void> {
    await this.page.waitForFunction(
      (expected) => window.relayTest.peers().join() === expected,
      [...ids].sort().join(),
      {
        timeout: timeoutMs,
        polling: 50,
      },
    )
  }

  firstPeerAfterMs(): Promise<number | null> {
    return this.page.evaluate(() => window.relayTest.firstPeerAfterMs())
  }

  sendBlob(size: number, seed: number): Promise<string> {
    return this.page.evaluate(([s, n]) => window.relayTest.sendBlob(s, n), [size, seed] as const)
  }

  async waitForBlob(from: string, timeoutMs = 15_000): Promise<ReceivedBlob> {
    const handle = await this.page.waitForFunction(
      (sender) => window.relayTest.receivedBlobs().find((blob) => blob.from === sender),
      from,
      { timeout: timeoutMs, polling: 50 },
    )
    const blob = await handle.jsonValue()
    if (blob === undefined) throw new Error(`no blob from ${from}`)
    return blob
  }

  sendText(text: string): Promise<void> {
    return this.page.evaluate((t) => window.relayTest.sendText(t), text)
  }

  async waitForText(text: string, timeoutMs = 15_000): Promise<void> {
    await this.page.waitForFunction((t) => window.relayTest.texts().includes(t), text, {
      timeout: timeoutMs,
      polling: 50,
    })
  }

  leave(): Promise<void> {
    return this.page.evaluate(() => window.relayTest.leave())
  }
}
