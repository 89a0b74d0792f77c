/**
 * `npm run bench echo`: ECHO at 1k, 10k and 100k objects in real Chromium, for
 * several object placements in the same run. For each: time to create the
 * objects, time from reload to the first query result, query latency by type and
 * by text, JS heap (after creating and after reopening), IndexedDB bytes.
 * ECHO_BENCH_SIZES=1000,10000 limits the sizes; placements too slow for 100k on
 * this machine run at the smaller sizes only (see `largest` below); ECHO_BENCH_ONLY
 * picks variants by name.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from '@playwright/test'
import type { BrowserContext, Page } from '@playwright/test'
import { build } from 'vite'
import { chromiumLaunchOptions } from '../scripts/chromium.ts'
import { freePort } from '../scripts/free-port.ts'
import { serveStatic } from '../scripts/static-server.ts'
import type { CreateResult, EchoBenchApi, ReopenResult } from './echo-page/main.ts'

interface Variant {
  readonly name: string
  readonly placement: { kind: 'grouped'; objectsPerDocument: number } | { kind: 'per-object' }
  /** Every n-th object is a note with its own text document (0: tasks only). */
  readonly noteEvery: number
  /** The biggest size this variant runs at; bigger sizes are extrapolated in the report. */
  readonly largest: number
}

const variants: readonly Variant[] = [
  {
    name: 'grouped-1000',
    placement: { kind: 'grouped', objectsPerDocument: 1000 },
    noteEvery: 2,
    largest: 100_000,
  },
  {
    name: 'grouped-1000 tasks-only',
    placement: { kind: 'grouped', objectsPerDocument: 1000 },
    noteEvery: 0,
    largest: 100_000,
  },
  { name: 'grouped-100', placement: { kind: 'grouped', objectsPerDocument: 100 }, noteEvery: 2, largest: 10_000 },
  { name: 'per-object', placement: { kind: 'per-object' }, noteEvery: 2, largest: 10_000 },
]
const sizes = (process.env.ECHO_BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number)
/** ECHO_BENCH_ONLY=per-object runs only the variants whose name contains it. */
const only = process.env.ECHO_BENCH_ONLY ?? ''

interface Row {
  readonly variant: string
  readonly objects: number
  readonly createS: number
  readonly flushMs: number
  readonly firstResultMs: number
  readonly fullOpenMs: number
  readonly typeQueryMs: number
  readonly textQueryMs: number
  readonly heapAfterCreateMb: number
  readonly heapAfterReopenMb: number
  readonly idbMb: number
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

const heapMb = async (context: BrowserContext, page: Page): Promise<number> => {
  const cdp = await context.newCDPSession(page)
  await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize } = await cdp.send('Runtime.getHeapUsage')
  await cdp.detach()
  return usedSize / 2 ** 20
}

const ready = async (page: Page) => page.waitForFunction(() => 'echoBench' in globalThis)

const measure = async (url: string, variant: Variant, objects: number): Promise<Row> => {
  const profile = await mkdtemp(join(tmpdir(), 'echo-bench-'))
  const context = await chromium.launchPersistentContext(profile, { ...chromiumLaunchOptions(), headless: true })
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(url)
    await ready(page)
    const created: CreateResult = await page.evaluate(
      ([placement, count, noteEvery]) =>
        (globalThis as unknown as { echoBench: EchoBenchApi }).echoBench.create(placement, count, noteEvery),
      [variant.placement, objects, variant.noteEvery] as const,
    )
    const heapAfterCreateMb = await heapMb(context, page)
    await page.reload()
    await ready(page)
    const reopened: ReopenResult = await page.evaluate(
      ([spaceId, placement]) =>
        (globalThis as unknown as { echoBench: EchoBenchApi }).echoBench.reopen(spaceId, placement),
      [created.spaceId, variant.placement] as const,
    )
    const heapAfterReopenMb = await heapMb(context, page)
    const usage = await page.evaluate(() => (globalThis as unknown as { echoBench: EchoBenchApi }).echoBench.usage())
    if (reopened.typeResults !== 50 || reopened.textResults === 0)
      throw new Error(`wrong results: ${JSON.stringify(reopened)}`)
    return {
      variant: variant.name,
      objects,
      createS: round(created.createMs / 1000),
      flushMs: round(created.flushMs),
      firstResultMs: round(reopened.firstResultMs),
      fullOpenMs: round(reopened.fullOpenMs),
      typeQueryMs: round(median(reopened.typeQueryMs)),
      textQueryMs: round(median(reopened.textQueryMs)),
      heapAfterCreateMb: round(heapAfterCreateMb),
      heapAfterReopenMb: round(heapAfterReopenMb),
      idbMb: round(usage / 2 ** 20),
    }
  } finally {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  }
}

const here = fileURLToPath(new URL('.', import.meta.url))
const outDir = await mkdtemp(join(tmpdir(), 'echo-bench-page-'))
await build({
  root: join(here, 'echo-page'),
  configFile: false,
  logLevel: 'error',
  build: { outDir, emptyOutDir: true, target: 'es2023' },
})
const server = await serveStatic({ root: outDir, port: await freePort() })
const rows: Row[] = []
try {
  for (const objects of sizes) {
    for (const variant of variants) {
      if (objects > variant.largest || !variant.name.includes(only)) continue
      const row = await measure(`${server.url}/`, variant, objects)
      rows.push(row)
      console.log(JSON.stringify(row))
    }
  }
} finally {
  await server.close()
  await rm(outDir, { recursive: true, force: true })
}

console.table(rows)
await mkdir(join(here, 'results'), { recursive: true })
await writeFile(
  join(here, 'results', 'echo.json'),
  `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`,
)
