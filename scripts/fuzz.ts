/**
 * `npm run fuzz [target...] [--minutes N] [--seeds a,b] [--runs N]`: runs the properties of every target in
 * scripts/fuzz/ (one small file each, see target.ts) with random seeds and many runs, outside `npm test` (whose
 * properties run the same code with fixed seeds). Every target runs once, the slow ones last; then rounds go on
 * until the time is up (2.5 minutes by default). Targets: handshake (a scripted peer's room key proof, Hello, Proof
 * and done, genuine, mutated, replaced or left out, against `runHandshake`), room-frames (invitation and link room frames,
 * join links), credentials (mutated chains through decode, verify and `verifyPeerDevice`), adapter-frames (mutated
 * CBOR frames into the mesh adapter), sync-screen (a viewer's mutated sync messages through echo's screen), files
 * (space files read, checked and imported; identity file envelope and payload) and membership-fold. Each input
 * must not throw, take over 1 s, or, refused, change anything stored.
 *
 * Prints every seed it used, the inputs each round fed (each property prints its runs per seed, see
 * `checkProperty`) and the totals; on a failure, the test, its seed and path in the form to pin as a regression
 * case, and the counterexample. `--seeds` runs one round with the seeds given (to replay one); `--runs` sets the
 * runs per seed. Measured (2026-11-27, this 2-core machine shared with other suites): one run fed 109,400 inputs
 * in 201 s (324 s beside a typecheck): the six newer targets 108,000 in 71-83 s (room-frames 90,000 in 10-21 s),
 * the fold 1,400 in 130-240 s.
 */
import { spawnSync } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FuzzTarget } from './fuzz/target.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const folder = join(root, 'scripts', 'fuzz')
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
// Pinned regressions run in `npm test` with their own seeds; random seeds add nothing to them.
const NOT_PINNED = '^(?!.*pinned)'

const args = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const at = args.indexOf(name)
  return at === -1 ? undefined : args[at + 1]
}
const minutes = Number(option('--minutes') ?? 2.5)
const runs = option('--runs')
const given = option('--seeds')
  ?.split(',')
  .map((seed) => Number.parseInt(seed, 10))
const wanted = args.filter((arg, index) => !arg.startsWith('--') && !(args[index - 1] ?? '').startsWith('--'))

const loadTargets = async (): Promise<FuzzTarget[]> => {
  const files = readdirSync(folder).filter((file) => file.endsWith('.ts') && file !== 'target.ts')
  const loaded = await Promise.all(
    files.sort().map(async (file) => ((await import(join(folder, file))) as { target: FuzzTarget }).target),
  )
  // The slow targets last, so the time left after the first pass goes to the many cheap inputs.
  return loaded
    .filter((target) => wanted.length === 0 || wanted.includes(target.name))
    .sort((a, b) => Number(a.slow === true) - Number(b.slow === true))
}

interface Failure {
  test: string
  seed: string
  path: string
  counterexample: string
}

/** The failed properties in vitest's output: the test's name, fast-check's seed and path, the counterexample. */
const failuresIn = (output: string): Failure[] => {
  const failures: Failure[] = []
  let test = ''
  for (const line of output.split('\n')) {
    const failed = /FAIL\s+.*?\.test\.ts\s+>\s+(.*)$/.exec(line)
    if (failed?.[1] !== undefined) test = failed[1].trim()
    const replay = /^\{ seed: (-?\d+), path: "([^"]*)"/.exec(line.trim())
    if (replay?.[1] !== undefined && replay[2] !== undefined) {
      failures.push({ test, seed: replay[1], path: replay[2], counterexample: '' })
    }
    const last = failures.at(-1)
    if (line.startsWith('Counterexample: ') && last?.counterexample === '') {
      last.counterexample = line.slice('Counterexample: '.length)
    }
  }
  return failures
}

/** Inputs fed and time spent, per target. */
const tally = new Map<string, { inputs: number; ms: number }>()

/** The inputs a round fed: each property prints `fuzz-runs <n>` per seed it ran (src/base/testing/properties.ts). */
const inputsIn = (output: string): number =>
  [...output.matchAll(/^fuzz-runs (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0)

/** One vitest run of a target with `seeds`; true when every property held. */
const round = (target: FuzzTarget, seeds: readonly number[]): boolean => {
  const perSeed = runs ?? String(target.runs)
  const started = Date.now()
  const run = spawnSync(process.execPath, [vitest, 'run', '--project', 'unit', ...target.files, '-t', NOT_PINNED], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FUZZ_SEEDS: seeds.join(','), FUZZ_RUNS: perSeed, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  })
  const output = `${run.stdout}\n${run.stderr}`
  const inputs = inputsIn(output)
  const ms = Date.now() - started
  const sum = tally.get(target.name) ?? { inputs: 0, ms: 0 }
  tally.set(target.name, { inputs: sum.inputs + inputs, ms: sum.ms + ms })
  console.log(
    `fuzz ${target.name}: seeds ${seeds.join(', ')} (${perSeed} runs each): ${String(inputs)} inputs in ${(ms / 1000).toFixed(1)} s`,
  )
  if (run.status === 0) return true
  const failures = failuresIn(output)
  if (failures.length === 0) console.log(output.split('\n').slice(-60).join('\n'))
  for (const failure of failures) {
    console.log(`\nFAILED ${target.name}: ${failure.test}`)
    console.log(
      `  pin it: fc.assert(<property>, { seed: ${failure.seed}, path: '${failure.path}', endOnFailure: true })`,
    )
    console.log(`  counterexample: ${failure.counterexample}`)
  }
  return false
}

const targets = await loadTargets()
if (targets.length === 0) {
  console.log(`No fuzz target matched (${wanted.join(', ')}).`)
  process.exitCode = 1
} else {
  const deadline = Date.now() + minutes * 60_000
  const started = Date.now()
  let rounds = 0
  let held = true
  // The first pass runs every target whatever the time: a slow one (the fold) must not starve the others.
  while (held && (rounds === 0 || Date.now() < deadline)) {
    for (const target of targets) {
      const seeds = given ?? Array.from({ length: target.seedsPerRound }, () => randomInt(-(2 ** 31), 2 ** 31 - 1))
      held = round(target, seeds) && held
      rounds++
      if (!held || (rounds >= targets.length && Date.now() >= deadline)) break
    }
    if (given !== undefined) break
  }
  let total = 0
  for (const [name, { inputs, ms }] of tally) {
    total += inputs
    console.log(`  ${name}: ${String(inputs)} inputs in ${(ms / 1000).toFixed(1)} s`)
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0)
  console.log(`fuzz: ${String(total)} inputs in ${seconds} s, ${String(rounds)} rounds.`)
  console.log(held ? 'fuzz: no counterexample.' : 'fuzz: stopped at the first failure.')
  process.exitCode = held ? 0 : 1
}
