import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const config = fileURLToPath(new URL('../.dependency-cruiser.cjs', import.meta.url))
const depcruise = fileURLToPath(
  new URL('../node_modules/dependency-cruiser/bin/dependency-cruiser.mjs', import.meta.url),
)

interface Violation {
  rule: { name: string }
  from: string
  to: string
}

/**
 * Runs the same check as `npm run layers` on a fixture tree, in one start of
 * dependency-cruiser: the errors it counts (what makes `npm run layers` exit
 * non-zero; the JSON reporter itself exits 0) and the violations it found.
 */
const checkLayers = (fixture: string): { errors: number; violations: Violation[] } => {
  const run = spawnSync(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'json'], {
    cwd: fileURLToPath(new URL(`fixtures/layers/${fixture}/`, import.meta.url)),
    encoding: 'utf8',
  })
  expect(run.status, run.stderr).toBe(0)
  const report = JSON.parse(run.stdout) as { summary: { error: number; violations: Violation[] } }
  return { errors: report.summary.error, violations: report.summary.violations }
}

// A case starts dependency-cruiser once. Measured on this 2-core machine with two CPU-bound processes running beside
// other work (load average 7.4): 4.9 to 7.5 s a case (2 s when idle). The timeout is five times the worst.
describe('the layer check', { timeout: 40_000 }, () => {
  it('rejects an upward import, a cycle, a sibling import, a reach past index.ts and fixtures in production', () => {
    const { errors, violations } = checkLayers('forbidden')
    expect(errors).toBeGreaterThan(0)
    const found = violations.map(({ rule, from, to }) => `${rule.name}: ${from} -> ${to}`)
    expect(found).toEqual(
      expect.arrayContaining([
        'halo-imports-only-base: src/halo/index.ts -> src/ui/index.ts',
        'no-circular: src/halo/index.ts -> src/ui/index.ts',
        'echo-imports-only-base-halo: src/echo/index.ts -> src/mesh/peers.ts',
        'enter-layers-through-index: src/echo/index.ts -> src/mesh/peers.ts',
        'no-testing-in-production: src/mesh/index.ts -> src/base/testing/clock.ts',
      ]),
    )
  })

  it('accepts a tree whose arrows all point down, and a test fixture entering another layer through its testing/ folder', () => {
    expect(checkLayers('allowed')).toEqual({ errors: 0, violations: [] })
  })
})
