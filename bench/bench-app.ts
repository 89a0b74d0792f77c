/**
 * What the browser benches stand on: the local signal worker (the per-address budget raised out of the way, since
 * every page connects from 127.0.0.1), the bench's page built against it as the build's one signal URL (no STUN),
 * served, and Chromium.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import type { Browser, Page } from '@playwright/test'
import { build } from 'vite'
import { RestartableWorker } from '../e2e/relay-harness.ts'
import { chromiumLaunchOptions } from '../scripts/chromium.ts'
import { freePort } from '../scripts/free-port.ts'
import { serveStatic } from '../scripts/static-server.ts'

export interface BenchApp {
  readonly browser: Browser
  /** The served page. */
  readonly url: string
  readonly relayUrl: string
  close(): Promise<void>
}

/** Starts the worker, builds and serves the page in `pageDir`, launches Chromium. */
export const startBenchApp = async (pageDir: string): Promise<BenchApp> => {
  const worker = await RestartableWorker.start({
    ADDRESS_RATE_BURST: '1000000',
    ADDRESS_RATE_PER_SECOND: '1000000',
    ADDRESS_BYTES_BURST: '1000000000',
    ADDRESS_BYTES_PER_SECOND: '1000000000',
  })
  process.env.VITE_SIGNAL_URLS = worker.relayUrl
  const outDir = await mkdtemp(join(tmpdir(), 'bench-page-'))
  await build({
    root: pageDir,
    configFile: false,
    logLevel: 'error',
    define: { __APP_VERSION__: JSON.stringify('bench') },
    build: { outDir, emptyOutDir: true, target: 'es2023' },
  })
  const server = await serveStatic({ root: outDir, port: await freePort() })
  const browser = await chromium.launch(chromiumLaunchOptions())
  return {
    browser,
    url: `${server.url}/`,
    relayUrl: worker.relayUrl,
    close: async () => {
      await browser.close()
      await worker.stop()
      await server.close()
      await rm(outDir, { recursive: true, force: true })
    },
  }
}

/** A fresh browser context (its own storage: a fresh profile) with the bench page open, once it sets `api`. */
export const openBenchPage = async (browser: Browser, url: string, label: string, api: string): Promise<Page> => {
  const context = await browser.newContext()
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error(`${label}: page error: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      console.error(`${label}: ${message.type()}: ${message.text()}`)
  })
  await page.goto(url)
  await page.waitForFunction((name) => name in globalThis, api)
  return page
}
