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

const cruise = (fixture: string, outputType: 'err' | 'json') =>
  spawnSync(process.execPath, [depcruise, 'src', '--config', config, '--output-type', outputType], {
    cwd: fileURLToPath(new URL(`fixtures/layers/${fixture}/`, import.meta.url)),
    encoding: 'utf8',
  })

/** Runs the same check as `npm run layers` on a fixture tree: its exit status, and the violations it found. */
const checkLayers = (fixture: string): { status: number | null; violations: Violation[] } => {
  const report = JSON.parse(cruise(fixture, 'json').stdout) as { summary: { violations: Violation[] } }
  return { status: cruise(fixture, 'err').status, violations: report.summary.violations }
}

// Each case starts dependency-cruiser twice; on a loaded 2-core machine one start can take several seconds.
describe('the layer check', { timeout: 60_000 }, () => {
  it('rejects an upward import, a cycle, a sibling import and a reach past index.ts', () => {
    const { status, violations } = checkLayers('forbidden')
    expect(status).not.toBe(0)
    const found = violations.map(({ rule, from, to }) => `${rule.name}: ${from} -> ${to}`)
    expect(found).toEqual(
      expect.arrayContaining([
        'halo-imports-only-base: src/halo/index.ts -> src/ui/index.ts',
        'no-circular: src/halo/index.ts -> src/ui/index.ts',
        'echo-imports-only-base-halo: src/echo/index.ts -> src/mesh/peers.ts',
        'enter-layers-through-index: src/echo/index.ts -> src/mesh/peers.ts',
      ]),
    )
  })

  it('accepts a tree whose arrows all point down', () => {
    expect(checkLayers('allowed')).toEqual({ status: 0, violations: [] })
  })
})
