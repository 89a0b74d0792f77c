/**
 * `npm run bench invite`: sharing a space with another person, in real Chromium pages (one browser context per
 * profile) through a local signal worker with no ICE servers, beside a baseline taken in the same run. Prints the
 * figures and writes bench/results/invite.json; it never asserts a timing.
 *
 * 1. Invite link opened -> space visible on the guest, median of RUNS: a fresh profile with no identity reads an
 *    editor link, joins, presses Join with its name as soon as the inviter shows (the bench plays the person, with
 *    no reading time), until its client lists the space and shows the owner's task. Each run also says where the
 *    time went: the join's states and what the traced Trystero page saw on both sides (rooms joined, handshakes,
 *    peers let in, invitation frames, the first repo message), in ms since the link was read.
 *    Baseline: two pages meeting in a plain Trystero room (no handshake) until a first message passed.
 *    Then RUNS more from fresh profiles that already have an identity (no preview, one invitation room).
 * 2. Removal -> the removed member's connection closed, each of those guests: from the owner's removeMember to
 *    the guest's Members panel showing none of the owner's devices connected (and the owner's showing none of the
 *    guest's).
 * 3. A space of OBJECTS objects (half notes with a paragraph): a fresh guest's time from the link read to the
 *    space visible, the first list, every object searchable, every text indexed.
 *
 * INVITE_BENCH_OBJECTS (default 10,000; 0 skips 3), INVITE_BENCH_RUNS and INVITE_BENCH_RECEIVE_S (how long the guest may
 * take to index every text, default 200) make it smaller for a quick look; INVITE_BENCH_TRACE prints each join's trace
 * and writes every repo message of the big space on both sides (time, way, type, document) to
 * bench/results/invite-repo-trace.json; INVITE_BENCH_PROFILE writes a CPU profile of the guest's first 25 s after the
 * space showed to bench/results/invite-guest.cpuprofile.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from '@playwright/test'
import { openBenchPage, startBenchApp } from './bench-app.ts'
import type { InviteBenchApi } from './invite-page/main.ts'
import type { TraceEvent } from './invite-page/trace.ts'

const OBJECTS = Number(process.env.INVITE_BENCH_OBJECTS ?? 10_000)
const RUNS = Number(process.env.INVITE_BENCH_RUNS ?? 5)
/** How long the guest may take to receive the big space before the bench reports what it reached. */
const RECEIVE_LIMIT_MS = Number(process.env.INVITE_BENCH_RECEIVE_S ?? 200) * 1000

interface Bench {
  inviteBench: InviteBenchApi
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN
}
const round = (value: number, digits = 0): number => Number(value.toFixed(digits))
const summary = (values: readonly number[]) => ({
  median: round(median(values)),
  min: round(Math.min(...values)),
  max: round(Math.max(...values)),
  runs: values.map((value) => round(value)),
})

const here = fileURLToPath(new URL('.', import.meta.url))

const openProfile = (browser: Browser, url: string, label: string): Promise<Page> =>
  openBenchPage(browser, url, label, 'inviteBench')

/** `events` as "+ms what" since `from`, one line per event, for reading where the time went. */
const timeline = (events: readonly TraceEvent[], from: number): string[] =>
  events.filter((event) => event.at >= from).map((event) => `+${String(round(event.at - from))} ${event.what}`)

const relative = (times: Record<string, number>, from: number): Record<string, number> =>
  Object.fromEntries(Object.entries(times).map(([key, at]) => [key, round(at - from)]))

/** Baseline: two fresh pages join one plain Trystero room at once, until each heard the other's first message. */
const rawConnect = async (browser: Browser, url: string, signalUrl: string): Promise<number> => {
  const pages = await Promise.all([openProfile(browser, url, 'plain A'), openProfile(browser, url, 'plain B')])
  const room = crypto.randomUUID()
  const started = performance.now()
  await Promise.all(
    pages.map((page) =>
      page.evaluate(([s, r]) => (globalThis as unknown as Bench).inviteBench.plain.join(s, r), [
        signalUrl,
        room,
      ] as const),
    ),
  )
  await Promise.all(
    pages.map((page) =>
      page.waitForFunction(() => (globalThis as unknown as Bench).inviteBench.plain.peers() === 1, null, {
        timeout: 30_000,
        polling: 5,
      }),
    ),
  )
  const ms = performance.now() - started
  await Promise.all(pages.map((page) => page.context().close()))
  return ms
}

interface JoinRun {
  /** The fresh profile's client started to its identity state read (none), before the link is read. */
  clientStartMs: number
  visibleMs: number | null
  steps: Record<string, number>
  guest: string[]
  owner: string[]
  removal?: { guestClosedMs: number | null; ownerClosedMs: number | null }
}

/** One fresh guest joins the owner's space by a new link; then, if asked, the owner removes it. */
const joinOnce = async (
  browser: Browser,
  url: string,
  signalUrl: string,
  owner: Page,
  options: { label: string; objects: number; remove: boolean; identity?: boolean },
): Promise<{ run: JoinRun; guest: Page }> => {
  const link = await owner.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.invite())
  const guest = await openProfile(browser, url, options.label)
  const starting = performance.now()
  await guest.evaluate(([s, name]) => (globalThis as unknown as Bench).inviteBench.app.fresh(s, name), [
    signalUrl,
    options.identity === true ? options.label : undefined,
  ] as const)
  const clientStartMs = round(performance.now() - starting)
  const joined = await guest.evaluate((input) => (globalThis as unknown as Bench).inviteBench.app.join(input), {
    url: link,
    name: options.label,
    objects: options.objects,
  })
  const traceOf = (page: Page) => page.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.trace())
  const run: JoinRun = {
    clientStartMs,
    visibleMs: joined.visible === null ? null : round(joined.visible - joined.opened),
    steps: relative(joined.steps, joined.opened),
    guest: timeline(await traceOf(guest), joined.opened),
    owner: timeline(await traceOf(owner), joined.opened),
  }
  if (options.remove && joined.visible !== null) {
    const both = [guest, owner].map((page) =>
      page.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.connected()),
    )
    await Promise.all(both)
    const started = await owner.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.removeOthers())
    const [guestClosed, ownerClosed] = await Promise.all(
      [guest, owner].map((page) =>
        page.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.disconnected()),
      ),
    )
    run.removal = {
      guestClosedMs: guestClosed == null ? null : round(guestClosed - started),
      ownerClosedMs: ownerClosed == null ? null : round(ownerClosed - started),
    }
  }
  return { run, guest }
}

/** 1 and 2: one owner with a small space; RUNS fresh guests in turn, each joined, then removed. */
const invites = async (browser: Browser, url: string, signalUrl: string, identity: boolean): Promise<JoinRun[]> => {
  const owner = await openProfile(browser, url, 'owner')
  await owner.evaluate(
    (s) => (globalThis as unknown as Bench).inviteBench.app.owner({ signalUrl: s, name: 'Garden plans', objects: 0 }),
    signalUrl,
  )
  const runs: JoinRun[] = []
  for (let trial = 0; trial < RUNS; trial++) {
    const { run, guest } = await joinOnce(browser, url, signalUrl, owner, {
      label: `${identity ? 'Member' : 'Guest'} ${String(trial)}`,
      objects: 0,
      remove: true,
      identity,
    })
    runs.push(run)
    console.log(
      `${identity ? 'with an identity' : 'no identity'}, join ${String(trial + 1)}: client started in ${String(run.clientStartMs)} ms, then space visible after ${run.visibleMs === null ? 'no' : String(run.visibleMs)} ms; steps ${JSON.stringify(run.steps)}; removal closed the guest's connection after ${String(run.removal?.guestClosedMs)} ms (owner's side ${String(run.removal?.ownerClosedMs)} ms)`,
    )
    if (process.env.INVITE_BENCH_TRACE !== undefined)
      console.log(`  guest:\n    ${run.guest.join('\n    ')}\n  owner:\n    ${run.owner.join('\n    ')}`)
    await guest.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.close())
    await guest.context().close()
  }
  await owner.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.close())
  await owner.context().close()
  return runs
}

/** 3: an owner with a space of OBJECTS objects; a fresh guest joins it. */
const bigSpace = async (browser: Browser, url: string, signalUrl: string) => {
  const owner = await openProfile(browser, url, 'owner')
  const started = performance.now()
  await owner.evaluate(
    ([s, n]) => (globalThis as unknown as Bench).inviteBench.app.owner({ signalUrl: s, name: 'Big', objects: n }),
    [signalUrl, OBJECTS] as const,
  )
  console.log(`owner built ${String(OBJECTS)} objects in ${String(round((performance.now() - started) / 1000, 1))} s`)
  const { run, guest } = await joinOnce(browser, url, signalUrl, owner, {
    label: 'Guest',
    objects: OBJECTS,
    remove: false,
  })
  if (process.env.INVITE_BENCH_PROFILE !== undefined) {
    // Where the guest's main thread goes while the space arrives: a CPU profile of the next 25 s.
    const cdp = await guest.context().newCDPSession(guest)
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.start')
    await new Promise((resolve) => setTimeout(resolve, 25_000))
    const { profile } = await cdp.send('Profiler.stop')
    await mkdir(join(here, 'results'), { recursive: true })
    await writeFile(join(here, 'results', 'invite-guest.cpuprofile'), JSON.stringify(profile))
  }
  await guest
    .waitForFunction(() => (globalThis as unknown as Bench).inviteBench.app.progress().texts !== undefined, null, {
      timeout: RECEIVE_LIMIT_MS,
      polling: 200,
    })
    .catch(() => console.log(`the guest did not index every text within ${String(RECEIVE_LIMIT_MS / 1000)} s`))
  const progress = await guest.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.progress())
  const opened = progress.opened ?? Number.NaN
  console.log(`big space on the guest, ms since the link was read: ${JSON.stringify(relative(progress, opened))}`)
  const samples = await guest.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.samples())
  if (process.env.INVITE_BENCH_TRACE !== undefined) {
    console.log(`  guest:\n    ${run.guest.join('\n    ')}\n  owner:\n    ${run.owner.join('\n    ')}`)
    const repoEvents = (page: Page) =>
      page.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.repoEvents())
    const trace = { opened, guest: await repoEvents(guest), owner: await repoEvents(owner) }
    await mkdir(join(here, 'results'), { recursive: true })
    await writeFile(join(here, 'results', 'invite-repo-trace.json'), JSON.stringify(trace))
    console.log('every repo message of the big space: bench/results/invite-repo-trace.json')
  }
  console.log(
    `second by second (s: repo messages in, kB in, objects listed): ${samples.map((each) => `${String(each.s)}: ${String(each.in)}/${String(each.kB)}/${String(each.listed)}`).join(', ')}`,
  )
  await guest.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.close())
  await guest.context().close()
  await owner.evaluate(() => (globalThis as unknown as Bench).inviteBench.app.close())
  await owner.context().close()
  const steps = Object.fromEntries(Object.entries(progress).filter(([key]) => key !== 'opened'))
  return { visibleMs: run.visibleMs, joinSteps: run.steps, msSinceLink: relative(steps, opened), samples }
}

const app = await startBenchApp(join(here, 'invite-page'))
const { browser, url } = app
let results: Record<string, unknown>
try {
  const raw: number[] = []
  for (let trial = 0; trial < RUNS; trial++) raw.push(await rawConnect(browser, url, app.relayUrl))
  console.log(
    `raw Trystero room, two pages joined at once -> first message heard: median ${String(round(median(raw)))} ms`,
  )
  const runs = await invites(browser, url, app.relayUrl, false)
  const members = await invites(browser, url, app.relayUrl, true)
  const memberVisible = members.flatMap((run) => (run.visibleMs === null ? [] : [run.visibleMs]))
  const visible = runs.flatMap((run) => (run.visibleMs === null ? [] : [run.visibleMs]))
  const removals = [...runs, ...members]
  const guestClosed = removals.flatMap((run) => (run.removal?.guestClosedMs == null ? [] : [run.removal.guestClosedMs]))
  const ownerClosed = removals.flatMap((run) => (run.removal?.ownerClosedMs == null ? [] : [run.removal.ownerClosedMs]))
  console.log(
    `invite link opened -> space visible on the guest: median ${String(round(median(visible)))} ms (${String(RUNS - visible.length)} failed), with an identity already ${String(round(median(memberVisible)))} ms (${String(RUNS - memberVisible.length)} failed); removal -> guest's connection closed: median ${String(round(median(guestClosed)))} ms`,
  )
  const big = OBJECTS > 0 ? await bigSpace(browser, url, app.relayUrl) : undefined
  if (big !== undefined) console.log(`big space on the guest (ms since the link was read): ${JSON.stringify(big)}`)
  const at = (key: string): number => big?.msSinceLink[key] ?? Number.NaN
  results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverage: loadavg().map((load) => round(load, 2)) },
    inviteToVisibleMs: {
      ...summary(visible),
      failed: RUNS - visible.length,
      note: "a fresh profile with a started client and no identity: invites.read at 0, Join pressed as soon as 'found' shows, until spaces.list has the space and its task list the owner's task",
    },
    inviteWithIdentityToVisibleMs: {
      ...summary(memberVisible),
      failed: RUNS - memberVisible.length,
      note: 'the same from a fresh profile that already has an identity: no preview with a throwaway identity, one invitation room and one handshake there',
    },
    rawConnectMs: {
      ...summary(raw),
      note: 'two fresh pages join one plain Trystero room (no handshake) at once, until each heard the other (automerge-repo peer hello); same worker, no ICE servers',
    },
    visibleOverRawConnect: round(median(visible) / median(raw), 1),
    guestClientStartMs: {
      ...summary(runs.map((run) => run.clientStartMs)),
      note: "a fresh profile's client started (createClient, start, identity state read) before the link is read: not in inviteToVisibleMs, but a person opening the link waits for it too, after the page and its wasm load",
    },
    removalToClosedMs: {
      guest: summary(guestClosed),
      owner: summary(ownerClosed),
      note: "owner's removeMember start to the guest's Members panel showing none of the owner's devices connected (and the owner's none of the guest's)",
    },
    joins: runs,
    joinsWithIdentity: members,
    bigSpace:
      big === undefined
        ? null
        : {
            objects: OBJECTS,
            ...big,
            note: 'ms since the guest read the link; listed = the space opened on the guest, firstList = a note or task listed, searchable = every object in the lists, texts = every note found by a word only its text holds',
          },
    targets: {
      inviteUnder3s: visible.length === RUNS && median(visible) < 3000,
      removalUnder2s: guestClosed.length === removals.length && median(guestClosed) < 2000,
      ...(big === undefined
        ? {}
        : { firstListUnder3s: at('firstList') < 3000, searchableUnder15s: at('searchable') < 15_000 }),
    },
  }
} finally {
  await app.close()
}
await mkdir(join(here, 'results'), { recursive: true })
await writeFile(join(here, 'results', 'invite.json'), `${JSON.stringify(results, null, 2)}\n`)
console.log(JSON.stringify(results.targets))
