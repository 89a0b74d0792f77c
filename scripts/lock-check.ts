/**
 * Compares package-lock.json before and after `npm install` by pinned versions, not bytes.
 *
 * Why not bytes, and why not `npm ci`: the registry this project installs from serves some other
 * systems' optional builds (`@rollup/rollup-darwin-*`, `@cloudflare/workerd-windows-64`, …) and not
 * others (`@cbor-extract/*`), and which ones changes from month to month. So `npm install` may add
 * entries for other platforms to a lock that was right when committed, and `npm ci` refuses any lock
 * that lacks the ones the registry never served. What must hold is narrower and stable: every package
 * the committed lock pins is still pinned at the same version and integrity, the lock's own record of
 * package.json matches package.json, nothing else was added but optional packages for other platforms,
 * and what is on disk is what the lock pins.
 */

export interface LockEntry {
  readonly version?: string
  readonly integrity?: string
  readonly resolved?: string
  readonly link?: boolean
  readonly optional?: boolean
  readonly os?: readonly string[]
  readonly cpu?: readonly string[]
  readonly libc?: readonly string[]
  readonly dependencies?: Readonly<Record<string, string>>
  readonly devDependencies?: Readonly<Record<string, string>>
  readonly optionalDependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
}

export interface Lockfile {
  readonly lockfileVersion?: number
  readonly packages?: Readonly<Record<string, LockEntry>>
}

export interface PackageManifest {
  readonly dependencies?: Readonly<Record<string, string>>
  readonly devDependencies?: Readonly<Record<string, string>>
  readonly optionalDependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
}

/** The system the install ran on, as npm matches it against `os`, `cpu` and `libc`. */
export interface Platform {
  readonly os: string
  readonly cpu: string
  readonly libc: 'glibc' | 'musl' | undefined
}

/** Reads this process's platform; the C library as Node reports it (glibc, else musl on Linux). */
export const currentPlatform = (): Platform => {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
  const libc = process.platform !== 'linux' ? undefined : header?.glibcVersionRuntime ? 'glibc' : 'musl'
  return { os: process.platform, cpu: process.arch, libc }
}

/** npm's rule for `os`/`cpu`/`libc` lists: a plain name allows, `!name` excludes, no list allows all. */
const allows = (list: readonly string[] | undefined, value: string | undefined): boolean => {
  if (list === undefined || list.length === 0) return true
  if (value === undefined) return false
  if (list.includes(`!${value}`)) return false
  const allowed = list.filter((item) => !item.startsWith('!'))
  return allowed.length === 0 || allowed.includes(value)
}

/** Whether npm would install this entry on `platform` (it skips entries whose os/cpu/libc exclude it). */
export const installsOn = (entry: LockEntry, platform: Platform): boolean =>
  allows(entry.os, platform.os) &&
  allows(entry.cpu, platform.cpu) &&
  (entry.libc === undefined || allows(entry.libc, platform.libc))

const manifestFields = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const

const sameRanges = (a: Readonly<Record<string, string>> = {}, b: Readonly<Record<string, string>> = {}): string[] => {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
  return names.filter((name) => a[name] !== b[name])
}

/**
 * Problems with the lock as committed (`before`) against package.json and the lock npm wrote (`after`).
 * Empty when the install kept every pin and added only other platforms' optional packages.
 */
export const compareLocks = (
  manifest: PackageManifest,
  before: Lockfile,
  after: Lockfile,
  platform: Platform,
): string[] => {
  const problems: string[] = []
  const old = before.packages
  const now = after.packages
  if (old === undefined || now === undefined) return ['the lock has no "packages" map (lockfileVersion 3 is expected)']

  const root = old[''] ?? {}
  for (const field of manifestFields) {
    for (const name of sameRanges(manifest[field], root[field])) {
      const wanted = manifest[field]?.[name] ?? '(none)'
      const locked = root[field]?.[name] ?? '(none)'
      problems.push(`package.json ${field} has ${name} ${wanted}, the lock has ${locked}`)
    }
  }

  for (const [path, entry] of Object.entries(old)) {
    if (path === '') continue
    const next = now[path]
    if (next === undefined) problems.push(`${path} ${entry.version ?? ''} was removed by the install`.trimEnd())
    else if (next.version !== entry.version || next.integrity !== entry.integrity || next.link !== entry.link)
      problems.push(`${path} is pinned at ${entry.version ?? '(link)'}, the install gave ${next.version ?? '(link)'}`)
  }

  for (const [path, entry] of Object.entries(now)) {
    if (path === '' || path in old) continue
    const forOtherPlatform = entry.optional === true && !installsOn(entry, platform)
    if (!forOtherPlatform) problems.push(`${path} ${entry.version ?? ''} was added by the install`.trimEnd())
  }
  return problems
}

/**
 * Problems with what is on disk: every entry npm would install here must be there at its pinned
 * version. `installedVersion` reads `<path>/package.json` (undefined when absent); optional entries
 * may be absent (npm skips an optional package whose install failed).
 */
export const compareInstalled = (
  lock: Lockfile,
  platform: Platform,
  installedVersion: (path: string) => string | undefined,
): string[] => {
  const problems: string[] = []
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || entry.link === true || !installsOn(entry, platform)) continue
    const version = installedVersion(path)
    if (version === undefined) {
      if (entry.optional !== true) problems.push(`${path} ${entry.version ?? ''} is not installed`.trimEnd())
    } else if (version !== entry.version) {
      problems.push(`${path} is installed at ${version}, the lock pins ${entry.version ?? '(none)'}`)
    }
  }
  return problems
}
