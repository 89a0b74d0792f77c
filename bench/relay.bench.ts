/**
 * `npm run bench relay`: the signal worker's figures, written to
 * bench/results/relay.json.
 *
 * - `wrangler dev` start to ready (GET /health answers), a few cold starts.
 * - Relay latency, EVENT in to EVENT out on loopback, through `wrangler dev`
 *   with the default limits but the per-address budget raised (every socket
 *   comes from 127.0.0.1): one subscriber, senders taking turns so each stays
 *   inside its own token bucket.
 * - Events per second on one shard, in workerd through Miniflare with the
 *   per-socket rate limit, per-address budget and cap raised (every socket here comes
 *   from 127.0.0.1): what one shard's single thread can carry.
 * - Memory per connected socket: workerd's resident memory before and after
 *   opening many sockets that each subscribe to two topics (one Trystero room).
 * - Two Chromium pages seeing each other through the worker, from `join` to
 *   the other peer present, the slower of the two, over several fresh rooms.
 */
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from '@playwright/test'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { RelayPeer, RestartableWorker, serveRelayPage } from '../e2e/relay-harness.ts'
import { chromiumLaunchOptions } from '../scripts/chromium.ts'
import { nostrEvent, subId, TestSocket } from '../signal-worker/test/support/client.ts'
import { startRelay } from '../signal-worker/test/support/relay.ts'

const here = dirname(fileURLToPath(import.meta.url))

/** Every socket of the bench comes from 127.0.0.1, one address: its shared budget is raised out of the way. */
const unlimitedAddress = {
  ADDRESS_RATE_BURST: '1000000',
  ADDRESS_RATE_PER_SECOND: '1000000',
  ADDRESS_BYTES_BURST: '1000000000',
  ADDRESS_BYTES_PER_SECOND: '1000000000',
}

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}
const round = (value: number, digits = 2): number => Number(value.toFixed(digits))

const startupMs = async (runs: number): Promise<number[]> => {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    const worker = await RestartableWorker.start()
    times.push(performance.now() - started)
    await worker.stop()
  }
  return times
}

/** Sequential EVENT -> delivery times; senders take turns so none leaves its default token bucket. */
const latencyMs = async (wsBase: string, samples: number, senders: number): Promise<number[]> => {
  const url = `${wsBase}/r/main`
  const receiver = await TestSocket.open(url)
  await receiver.subscribe(subId(), ['latency'])
  const pool = await Promise.all(Array.from({ length: senders }, () => TestSocket.open(url)))
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const sender = pool[i % senders]
    if (sender === undefined) throw new Error('no sender')
    const event = nostrEvent('latency', 'x'.repeat(300))
    const started = performance.now()
    sender.send(['EVENT', event])
    await receiver.next()
    times.push(performance.now() - started)
    await sender.next()
  }
  await Promise.all([receiver, ...pool].map((socket) => socket.close()))
  return times
}

/** This process's workerd children. */
const workerdPids = (): number[] =>
  execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('workerd'))
    .map((line) => Number(line.trim().split(/\s+/)[0]))

/** Resident memory of this process's workerd children, in bytes. */
const workerdRss = (): number =>
  workerdPids().reduce((sum, pid) => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return sum + Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
  }, 0)

/** CPU seconds (user + system, all threads) used so far by this process's workerd children. */
const workerdCpuSeconds = (): number =>
  workerdPids().reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return sum + (Number(fields[11]) + Number(fields[12])) / 100
  }, 0)

interface Throughput {
  readonly events: number
  readonly seconds: number
  /** Wall clock, with the load generator on the same two cores. */
  readonly eventsPerSecond: number
  /** workerd's own CPU time per event, all its threads. */
  readonly workerdCpuMicrosPerEvent: number
  /** What one core given to workerd alone would carry. */
  readonly eventsPerWorkerdCoreSecond: number
}

/** Pairs of sockets: each sender floods its receiver's topic; the clock stops when every event has arrived. */
const throughput = async (wsBase: string, pairs: number, perSender: number): Promise<Throughput> => {
  const url = `${wsBase}/r/throughput`
  const senders = await Promise.all(Array.from({ length: pairs }, () => TestSocket.open(url)))
  const receivers = await Promise.all(Array.from({ length: pairs }, () => TestSocket.open(url)))
  await Promise.all(receivers.map((socket, i) => socket.subscribe(subId(), [`pair-${i}`])))
  const frames = senders.map((_, i) =>
    Array.from({ length: perSender }, () => JSON.stringify(['EVENT', nostrEvent(`pair-${i}`, 'x'.repeat(300))])),
  )
  const cpuBefore = workerdCpuSeconds()
  const started = performance.now()
  senders.forEach((socket, i) => {
    for (const frame of frames[i] ?? []) socket.send(frame)
  })
  await Promise.all([
    ...receivers.map(async (socket) => {
      for (let n = 0; n < perSender; n++) await socket.nextText()
    }),
    ...senders.map(async (socket) => {
      for (let n = 0; n < perSender; n++) {
        // Read as text: parsing 50,000 OKs would take the load generator's CPU away from workerd.
        const ok = await socket.nextText()
        if (!ok.startsWith('["OK"') || !ok.endsWith(',true,""]')) throw new Error(`refused: ${ok}`)
      }
    }),
  ])
  const seconds = (performance.now() - started) / 1000
  const cpu = workerdCpuSeconds() - cpuBefore
  await Promise.all([...senders, ...receivers].map((socket) => socket.close()))
  const events = pairs * perSender
  return {
    events,
    seconds: round(seconds, 3),
    eventsPerSecond: Math.round(events / seconds),
    workerdCpuMicrosPerEvent: round((cpu / events) * 1e6, 1),
    eventsPerWorkerdCoreSecond: Math.round(events / cpu),
  }
}

/**
 * The least a relay can do in the same runtime, for comparison: a Durable
 * Object that holds hibernatable sockets, answers REQ with EOSE, and forwards
 * each EVENT to the one socket on its topic, with no checks at all.
 */
const minimalRelay = `export class Shard {
  constructor(state) { this.state = state; this.byTopic = new Map() }
  fetch() { const pair = new WebSocketPair(); this.state.acceptWebSocket(pair[1]); return new Response(null, { status: 101, webSocket: pair[0] }) }
  webSocketMessage(ws, text) {
    const frame = JSON.parse(text)
    if (frame[0] === 'REQ') { for (const topic of frame[2]['#x']) this.byTopic.set(topic, [ws, frame[1]]); ws.send(JSON.stringify(['EOSE', frame[1]])); return }
    const sub = this.byTopic.get(frame[1].tags[0][1])
    if (sub) sub[0].send('["EVENT",' + JSON.stringify(sub[1]) + ',' + text.slice(9, -1) + ']')
    ws.send(JSON.stringify(['OK', frame[1].id, true, '']))
  }
  webSocketClose(ws) { ws.close() }
}
export default { fetch: (request, env) => env.SHARDS.get(env.SHARDS.idFromName('minimal')).fetch(request) }`

const startMinimalRelay = async (): Promise<{ wsBase: string; dispose: () => Promise<void> }> => {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: minimalRelay,
      compatibilityDate: '2026-11-01',
      durableObjects: { SHARDS: { className: 'Shard', useSQLite: true } },
      host: '127.0.0.1',
      port: 0,
    }),
  )
  const url = await mf.ready
  return { wsBase: url.origin.replace(/^http/, 'ws'), dispose: () => mf.dispose() }
}

interface Memory {
  readonly sockets: number
  readonly bytesPerSocket: number
  readonly minimalRelayBytesPerSocket: number
  readonly rssMiB: number
}

/** RSS growth while `count` sockets connect and subscribe, on a fresh workerd. */
const rssGrowth = async (wsBase: string, count: number): Promise<{ bytes: number; rss: number }> => {
  const url = `${wsBase}/r/memory`
  const warm = await TestSocket.open(url)
  await warm.subscribe(subId(), ['warm-up'])
  const before = workerdRss()
  const sockets = await Promise.all(Array.from({ length: count }, () => TestSocket.open(url)))
  await Promise.all(sockets.map((socket) => socket.subscribe(subId(), [randomUUID(), randomUUID()])))
  const after = workerdRss()
  await Promise.all([warm, ...sockets].map((socket) => socket.close()))
  return { bytes: after - before, rss: after }
}

const memoryPerSocket = async (count: number): Promise<Memory> => {
  const relay = await startRelay({
    MAX_CONNECTIONS_PER_IP: String(count + 10),
    ALLOWED_SHARDS: 'memory',
    ...unlimitedAddress,
  })
  const ours = await rssGrowth(relay.wsBase, count).finally(() => relay.dispose())
  const minimal = await startMinimalRelay()
  const baseline = await rssGrowth(minimal.wsBase, count).finally(() => minimal.dispose())
  return {
    sockets: count,
    bytesPerSocket: Math.round(ours.bytes / count),
    minimalRelayBytesPerSocket: Math.round(baseline.bytes / count),
    rssMiB: round(ours.rss / 2 ** 20, 1),
  }
}

const browsersMeetMs = async (relayUrl: string, trials: number): Promise<number[]> => {
  const server = await serveRelayPage()
  const browser = await chromium.launch(chromiumLaunchOptions())
  const times: number[] = []
  try {
    for (let i = 0; i < trials; i++) {
      const contexts = await Promise.all([browser.newContext(), browser.newContext()])
      const peers = await Promise.all(
        contexts.map(async (context) => new RelayPeer(await context.newPage()).open(`${server.url}/`)),
      )
      const roomId = randomUUID()
      await Promise.all(peers.map((peer) => peer.join(relayUrl, roomId)))
      const [a, b] = peers as [RelayPeer, RelayPeer]
      await Promise.all([a.waitForPeers([b.id]), b.waitForPeers([a.id])])
      const seen = await Promise.all(peers.map((peer) => peer.firstPeerAfterMs()))
      times.push(Math.max(...seen.map((ms) => ms ?? Number.NaN)))
      await Promise.all(contexts.map((context) => context.close()))
    }
  } finally {
    await browser.close()
    await server.close()
  }
  return times
}

const summary = (
  values: readonly number[],
): { median: number; p90: number; min: number; max: number; runs: number } => ({
  median: round(quantile(values, 0.5)),
  p90: round(quantile(values, 0.9)),
  min: round(Math.min(...values)),
  max: round(Math.max(...values)),
  runs: values.length,
})

const startup = await startupMs(3)
console.log(`wrangler dev start to ready: median ${round(quantile(startup, 0.5), 0)} ms`)

const worker = await RestartableWorker.start(unlimitedAddress)
let latency: number[]
let meet: number[]
try {
  latency = await latencyMs(worker.relayUrl.replace(/\/r\/main$/, ''), 2000, 40)
  console.log(
    `relay latency (wrangler dev): p50 ${round(quantile(latency, 0.5), 3)} ms, p99 ${round(quantile(latency, 0.99), 3)} ms`,
  )
  meet = await browsersMeetMs(worker.relayUrl, 10)
  console.log(`two browsers see each other: median ${round(quantile(meet, 0.5), 0)} ms`)
} finally {
  await worker.stop()
}

const capacity = await startRelay({
  MAX_CONNECTIONS_PER_IP: '1000',
  RATE_BURST: '1000000',
  RATE_PER_SECOND: '1000000',
  ALLOWED_SHARDS: 'throughput',
  ...unlimitedAddress,
})
let shard: Throughput
let minimalShard: Throughput
try {
  await throughput(capacity.wsBase, 10, 100)
  shard = await throughput(capacity.wsBase, 50, 1000)
  const minimal = await startMinimalRelay()
  minimalShard = await throughput(minimal.wsBase, 50, 1000).finally(() => minimal.dispose())
  console.log(
    `one shard: ${shard.eventsPerSecond} events/s wall clock (${shard.events} events in ${shard.seconds} s, load generator on the same cores); ` +
      `workerd ${shard.workerdCpuMicrosPerEvent} µs CPU per event = ${shard.eventsPerWorkerdCoreSecond} events per core-second ` +
      `(the minimal relay: ${minimalShard.workerdCpuMicrosPerEvent} µs)`,
  )
} finally {
  await capacity.dispose()
}

const memory = await memoryPerSocket(2000)
console.log(
  `memory: ${memory.bytesPerSocket} bytes per socket (the minimal relay: ${memory.minimalRelayBytesPerSocket}; ` +
    `workerd ${memory.rssMiB} MiB with ${memory.sockets} sockets)`,
)

const results = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, loadAverage: loadavg().map((load) => round(load)) },
  wranglerDevStartToReadyMs: summary(startup),
  relayLatencyMs: {
    p50: round(quantile(latency, 0.5), 3),
    p99: round(quantile(latency, 0.99), 3),
    samples: latency.length,
    note: 'wrangler dev, default limits but the per-address budget raised, 300-byte content, EVENT sent to EVENT received',
  },
  oneShard: {
    ...shard,
    note: 'workerd via Miniflare; per-socket rate, per-address budget and connection cap raised; 50 sender/receiver pairs, 300-byte content',
    minimalRelay: minimalShard,
  },
  memoryPerSocket: {
    ...memory,
    note: 'workerd RSS growth per socket subscribed to two topics, local workerd; the minimal relay shows what the runtime alone costs',
  },
  twoBrowsersSeeEachOtherMs: {
    ...summary(meet),
    note: 'join() to the other peer present, the slower of the two pages',
  },
  targets: {
    relayLatencyP50Under5Ms: quantile(latency, 0.5) < 5,
    atLeast5000EventsPerSecond: shard.eventsPerSecond >= 5000 || shard.eventsPerWorkerdCoreSecond >= 5000,
    twoBrowsersUnder1sMedian: quantile(meet, 0.5) < 1000,
  },
}
mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(join(here, 'results', 'relay.json'), `${JSON.stringify(results, null, 2)}\n`)
console.log(JSON.stringify(results.targets))
