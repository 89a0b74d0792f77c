/**
 * Run by .ci/run after `npm install`: `node scripts/check-install.ts <lock as committed>`.
 * Fails (exit 1, reasons on stderr) when package.json and the committed lock disagree, when the
 * install changed a pinned package, or when node_modules holds something other than the lock pins.
 * See lock-check.ts for why the lock is compared by pinned versions and not by bytes.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { compareInstalled, compareLocks, currentPlatform, type Lockfile, type PackageManifest } from './lock-check.ts'

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'))

const installedVersion = (path: string): string | undefined => {
  try {
    return (readJson(join(path, 'package.json')) as { version?: string }).version
  } catch {
    return undefined
  }
}

const committedLock = process.argv[2]
if (committedLock === undefined) {
  console.error('usage: node scripts/check-install.ts <package-lock.json as committed>')
  process.exit(2)
}

const platform = currentPlatform()
const lockNow = readJson('package-lock.json') as Lockfile
const lockProblems = compareLocks(
  readJson('package.json') as PackageManifest,
  readJson(committedLock) as Lockfile,
  lockNow,
  platform,
)
if (lockProblems.length > 0) {
  console.error('ci: package-lock.json does not match package.json; run npm install and commit package-lock.json')
  for (const problem of lockProblems) console.error(`  ${problem}`)
  process.exit(1)
}
const diskProblems = compareInstalled(lockNow, platform, installedVersion)
if (diskProblems.length > 0) {
  console.error('ci: node_modules differs from package-lock.json')
  for (const problem of diskProblems) console.error(`  ${problem}`)
  process.exit(1)
}
console.log(`ci: every package pinned by the lock is installed at its version (${platform.os}-${platform.cpu})`)
