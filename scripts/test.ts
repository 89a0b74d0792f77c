/**
 * `npm test`: every check and every test suite; exits non-zero if any of them fails. The unit tests run in two Vitest
 * workers (its default on two cores is one: 340 s alone on a quiet machine, 215 s with two), and the static checks
 * and the signal worker's tests run beside them, one after the other. The browser tests start once all of those
 * passed, alone: they use both cores and time real connections. Each step's output is printed whole when it ends.
 */
import { spawn } from 'node:child_process'

interface Step {
  readonly script: string
  readonly ok: boolean
  readonly seconds: number
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** Runs `npm run <script>`, its output held back and printed in one piece when it ends. */
const quiet = (script: string): Promise<Step> =>
  new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(npm, ['run', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    const chunks: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk))
    const done = (ok: boolean, error?: Error): void => {
      const seconds = Math.round((performance.now() - started) / 1000)
      process.stdout.write(Buffer.concat(chunks))
      if (error !== undefined) console.error(error.message)
      console.log(`test: ${script} ${ok ? 'passed' : 'FAILED'} in ${String(seconds)} s\n`)
      resolve({ script, ok, seconds })
    }
    child.on('error', (error) => {
      done(false, error)
    })
    child.on('close', (code) => {
      done(code === 0)
    })
  })

/** Runs the scripts one after the other, stopping at the first that fails. */
const inTurn = async (scripts: readonly string[]): Promise<Step[]> => {
  const steps: Step[] = []
  for (const script of scripts) {
    const step = await quiet(script)
    steps.push(step)
    if (!step.ok) break
  }
  return steps
}

const lanes = await Promise.all([
  inTurn(['test:unit']),
  inTurn(['typecheck', 'lint', 'format:check', 'layers', 'knip', 'test:worker']),
])
const failed = lanes.flat().filter((step) => !step.ok)
if (failed.length > 0) {
  console.error(`test: failed: ${failed.map((step) => step.script).join(', ')}`)
  process.exit(1)
}

// The browser tests stream their output as they go: they run alone, and for minutes.
const e2e = spawn(npm, ['run', 'test:e2e'], { stdio: 'inherit' })
const code = await new Promise<number>((resolve) => {
  e2e.on('error', () => {
    resolve(1)
  })
  e2e.on('close', (exit) => {
    resolve(exit ?? 1)
  })
})
process.exit(code)
