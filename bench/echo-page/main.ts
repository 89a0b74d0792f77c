/// <reference types="vite/client" />
/**
 * The page `bench/echo.bench.ts` drives in Chromium: builds a space of N
 * objects with a given placement, and after a reload measures the time to the
 * first query result and query latencies. Exposed as `window.echoBench`.
 */
import wasmUrl from '@automerge/automerge/automerge.wasm?url'
import { Echo, initEcho, orderBetween } from '../../src/echo/index.ts'
import type { Actor, Draft, Placement, Query, SpaceId } from '../../src/echo/index.ts'
import { generateKeyPair } from '../../src/halo/index.ts'

export interface CreateResult {
  readonly spaceId: string
  readonly createMs: number
  readonly flushMs: number
}

export interface ReopenResult {
  /** From navigation start to the first result of a live query by type. */
  readonly firstResultMs: number
  /** From navigation start until every object document is loaded and the index checked. */
  readonly fullOpenMs: number
  readonly typeQueryMs: readonly number[]
  readonly textQueryMs: readonly number[]
  readonly typeResults: number
  readonly textResults: number
}

const key = generateKeyPair()
const actor: Actor = { identity: key.publicKey, signer: { key } }
const DATABASE = 'echo-bench'
const BATCH = 1000
/** Every object's title carries one of 100 topic words, so a topic matches 1% of the space. */
const topic = (i: number) => `topic${String(i % 100).padStart(2, '0')}`

const create = async (placement: Placement, count: number, noteEvery: number): Promise<CreateResult> => {
  await initEcho(wasmUrl)
  const echo = new Echo({ database: { name: DATABASE }, placement })
  const start = performance.now()
  const space = await echo.createSpace(actor, 'Bench')
  let order = orderBetween()
  // Built in batches of 1000 through createMany (one change per object document), as an import would.
  for (let first = 0; first < count; first += BATCH) {
    const drafts: Draft[] = []
    for (let i = first; i < Math.min(count, first + BATCH); i++) {
      const title = `Item ${i} ${topic(i)}`
      if (noteEvery > 0 && i % noteEvery === 0) {
        drafts.push({ type: 'note', title, text: `Some text for note ${i} about ${topic(i)}.` })
      } else {
        order = orderBetween(order)
        drafts.push({ type: 'task', fields: { title, done: i % 3 === 0, order } })
      }
    }
    const created = await space.createMany(actor, drafts)
    if (!created.ok) throw created.error
    await echo.settled()
  }
  await echo.settled()
  const created = performance.now()
  const flushed = await echo.flush()
  if (!flushed.ok) throw flushed.error
  const flushMs = performance.now() - created
  // Left open: the bench reads the heap of the page as it is now, then reloads it.
  return { spaceId: space.id, createMs: created - start, flushMs }
}

const timed = async (run: () => Promise<unknown>, times: number): Promise<number[]> => {
  const samples: number[] = []
  for (let i = 0; i < times; i++) {
    const start = performance.now()
    await run()
    samples.push(performance.now() - start)
  }
  return samples
}

const reopen = async (spaceId: string, placement: Placement): Promise<ReopenResult> => {
  await initEcho(wasmUrl)
  const echo = new Echo({ database: { name: DATABASE }, placement })
  const id = spaceId as SpaceId
  const byType: Query = { type: 'task', limit: 50 }
  const live = echo.query(id, byType)
  await new Promise<void>((resolve) => {
    const stop = live.subscribe((state) => {
      if (state.status === 'ready') {
        stop()
        resolve()
      }
    })
  })
  const firstResultMs = performance.now()
  live.close()
  const opened = await echo.openSpace(id)
  if (!opened.ok) throw opened.error
  await opened.value.loaded()
  await echo.settled()
  const fullOpenMs = performance.now()
  const byText: Query = { text: topic(42), limit: 50, sort: { by: 'title' } }
  const typeResults = (await echo.find(id, byType)).length
  const textResults = (await echo.find(id, byText)).length
  const result = {
    firstResultMs,
    fullOpenMs,
    typeQueryMs: await timed(() => echo.find(id, byType), 15),
    textQueryMs: await timed(() => echo.find(id, byText), 15),
    typeResults,
    textResults,
  }
  return result
}

const usage = async (): Promise<number> => (await navigator.storage.estimate()).usage ?? 0

const api = { create, reopen, usage }
export type EchoBenchApi = typeof api
Object.assign(globalThis, { echoBench: api })
