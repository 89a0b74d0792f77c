/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named on the command
 * line) one after another, so they do not compete for the two cores. Each bench
 * prints its figures and writes them to `bench/results/<name>.json`.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2)
const benches = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.startsWith(name)))
  .sort()

let failed = 0
for (const file of benches) {
  console.log(`\n=== ${file} ===`)
  const run = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit' })
  if (run.status !== 0) failed++
}
if (benches.length === 0) console.log('No bench matched.')
process.exitCode = failed === 0 ? 0 : 1
