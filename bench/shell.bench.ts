/**
 * `npm run bench shell`: what the installable shell costs and how fast it opens.
 * - bytes: the built JS and CSS (gzip, without the Automerge wasm), the wasm, and
 *   everything the service worker precaches;
 * - opening: a reload served by the service worker with the web server stopped,
 *   against a first load from the local server, in the same run (a ratio).
 * Printed and written to bench/results/shell.json.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium } from '@playwright/test'
import { buildApp } from '../scripts/build-app.ts'
import { chromiumLaunchOptions } from '../scripts/chromium.ts'
import { freePort } from '../scripts/free-port.ts'
import { serveBuild } from '../scripts/static-server.ts'

const here = fileURLToPath(new URL('.', import.meta.url))
const dist = join(here, 'results', 'shell-dist')
const ROUNDS = 7

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })

const gzipSize = (path: string): number => gzipSync(readFileSync(path), { level: 9 }).length
const kib = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN

await buildApp({ outDir: dist, build: 'bench', signalUrls: 'ws://127.0.0.1:8787/r/main' })
const files = filesUnder(dist).map((path) => relative(dist, path))
const sw = readFileSync(join(dist, 'sw.js'), 'utf8')
const precached = files.filter((file) => sw.includes(`"${file}"`) || sw.includes(`'${file}'`))
const sum = (list: string[], size: (path: string) => number) =>
  list.reduce((total, file) => total + size(join(dist, file)), 0)
const code = files.filter((file) => /\.(js|css)$/.test(file) && file !== 'sw.js')
const wasm = files.filter((file) => file.endsWith('.wasm'))
const bytes = {
  jsCssGzipKiB: kib(sum(code, gzipSize)),
  wasmGzipKiB: kib(sum(wasm, gzipSize)),
  serviceWorkerGzipKiB: kib(gzipSize(join(dist, 'sw.js'))),
  precacheFiles: precached.length,
  precacheRawKiB: kib(sum(precached, (path) => statSync(path).size)),
  precacheGzipKiB: kib(sum(precached, gzipSize)),
}

const browser = await chromium.launch(chromiumLaunchOptions())
const online: number[] = []
const offline: number[] = []
try {
  for (let round = 0; round < ROUNDS; round++) {
    const port = await freePort()
    const server = await serveBuild({ root: dist, port })
    const context = await browser.newContext()
    const page = await context.newPage()
    const heading = page.getByRole('heading', { name: 'Commonplace', level: 1 })
    let start = performance.now()
    await page.goto(server.url)
    await heading.waitFor()
    online.push(performance.now() - start)
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    await page.getByText('Works offline').waitFor()
    await server.close()
    start = performance.now()
    await page.reload()
    await heading.waitFor()
    offline.push(performance.now() - start)
    await context.close()
  }
} finally {
  await browser.close()
}

const figures = {
  bytes,
  openMs: {
    firstLoadFromLocalServerMedian: Math.round(median(online)),
    offlineReloadFromServiceWorkerMedian: Math.round(median(offline)),
    offlineOverOnlineRatio: Math.round((median(offline) / median(online)) * 100) / 100,
    rounds: ROUNDS,
  },
}
console.table(bytes)
console.table(figures.openMs)
mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(join(here, 'results', 'shell.json'), `${JSON.stringify(figures, null, 2)}\n`)
console.log('wrote bench/results/shell.json')
