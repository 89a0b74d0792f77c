import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  compareInstalled,
  compareLocks,
  installsOn,
  type LockEntry,
  type Lockfile,
  type PackageManifest,
  type Platform,
} from './lock-check.ts'

const linux: Platform = { os: 'linux', cpu: 'x64', libc: 'glibc' }

const manifest: PackageManifest = { dependencies: { rollup: '^4.0.0' }, devDependencies: { vite: '^8.0.0' } }

const rollup: LockEntry = {
  version: '4.68.7',
  integrity: 'sha512-rollup',
  optionalDependencies: { '@rollup/rollup-linux-x64-gnu': '4.68.7', '@rollup/rollup-darwin-arm64': '4.68.7' },
}
const rollupLinux: LockEntry = {
  version: '4.68.7',
  integrity: 'sha512-linux',
  optional: true,
  os: ['linux'],
  cpu: ['x64'],
  libc: ['glibc'],
}
const rollupDarwin: LockEntry = {
  version: '4.68.7',
  integrity: 'sha512-darwin',
  optional: true,
  os: ['darwin'],
  cpu: ['arm64'],
}
const vite: LockEntry = { version: '8.3.8', integrity: 'sha512-vite' }

const lock = (packages: Record<string, LockEntry>): Lockfile => ({
  lockfileVersion: 3,
  packages: { '': { dependencies: { rollup: '^4.0.0' }, devDependencies: { vite: '^8.0.0' } }, ...packages },
})

/** The lock as committed months ago, when the registry served no darwin build. */
const committed = lock({
  'node_modules/rollup': rollup,
  'node_modules/@rollup/rollup-linux-x64-gnu': rollupLinux,
  'node_modules/vite': vite,
})

describe('comparing the lock before and after npm install', () => {
  it('accepts optional packages for other platforms that the registry now serves', () => {
    const after = lock({ ...committed.packages, 'node_modules/@rollup/rollup-darwin-arm64': rollupDarwin })
    expect(compareLocks(manifest, committed, after, linux)).toEqual([])
  })

  it('rejects a package.json dependency the lock lacks, and what npm added for it', () => {
    const changed: PackageManifest = { ...manifest, dependencies: { ...manifest.dependencies, qrcode: '^1.5.4' } }
    const after = lock({ ...committed.packages, 'node_modules/qrcode': { version: '1.5.4', integrity: 'sha512-qr' } })
    expect(compareLocks(changed, committed, after, linux)).toEqual([
      'package.json dependencies has qrcode ^1.5.4, the lock has (none)',
      'node_modules/qrcode 1.5.4 was added by the install',
    ])
  })

  it('rejects a changed range in package.json even when npm resolves it to the same version', () => {
    const changed: PackageManifest = { ...manifest, devDependencies: { vite: '^8.3.0' } }
    expect(compareLocks(changed, committed, committed, linux)).toEqual([
      'package.json devDependencies has vite ^8.3.0, the lock has ^8.0.0',
    ])
  })

  it('rejects a pinned package whose version or integrity changed, or that disappeared', () => {
    const after = lock({
      'node_modules/rollup': { ...rollup, version: '4.69.0' },
      'node_modules/@rollup/rollup-linux-x64-gnu': { ...rollupLinux, integrity: 'sha512-other' },
    })
    expect(compareLocks(manifest, committed, after, linux)).toEqual([
      'node_modules/rollup is pinned at 4.68.7, the install gave 4.69.0',
      'node_modules/@rollup/rollup-linux-x64-gnu is pinned at 4.68.7, the install gave 4.68.7',
      'node_modules/vite 8.3.8 was removed by the install',
    ])
  })

  it('rejects an added optional package that installs on this platform', () => {
    const extra = lock({ ...committed.packages, 'node_modules/extra-linux': { ...rollupLinux, version: '1.0.0' } })
    expect(compareLocks(manifest, committed, extra, linux)).toEqual([
      'node_modules/extra-linux 1.0.0 was added by the install',
    ])
  })
})

describe('which entries npm installs on a platform', () => {
  it('follows os, cpu and libc lists, with ! for exclusions', () => {
    expect(installsOn(rollupLinux, linux)).toBe(true)
    expect(installsOn(rollupLinux, { ...linux, libc: 'musl' })).toBe(false)
    expect(installsOn(rollupDarwin, linux)).toBe(false)
    expect(installsOn({ os: ['!win32'] }, linux)).toBe(true)
    expect(installsOn({ os: ['!linux'] }, linux)).toBe(false)
    expect(installsOn({}, linux)).toBe(true)
  })
})

describe('comparing node_modules with the lock', () => {
  const installed = new Map([
    ['node_modules/rollup', '4.68.7'],
    ['node_modules/@rollup/rollup-linux-x64-gnu', '4.68.7'],
    ['node_modules/vite', '8.3.8'],
  ])

  it('accepts what the lock pins, without other platforms’ packages', () => {
    const withDarwin = lock({ ...committed.packages, 'node_modules/@rollup/rollup-darwin-arm64': rollupDarwin })
    expect(compareInstalled(withDarwin, linux, (path) => installed.get(path))).toEqual([])
  })

  it('rejects a package at another version, or a required one missing', () => {
    const disk = new Map(installed).set('node_modules/vite', '8.4.0')
    disk.delete('node_modules/rollup')
    expect(compareInstalled(committed, linux, (path) => disk.get(path))).toEqual([
      'node_modules/rollup 4.68.7 is not installed',
      'node_modules/vite is installed at 8.4.0, the lock pins 8.3.8',
    ])
  })

  it('accepts an optional package npm could not install', () => {
    const disk = new Map(installed)
    disk.delete('node_modules/@rollup/rollup-linux-x64-gnu')
    expect(compareInstalled(committed, linux, (path) => disk.get(path))).toEqual([])
  })
})

// Each case starts Node; on a loaded 2-core machine that can take seconds.
describe('the check .ci/run runs after npm install', { timeout: 30_000 }, () => {
  const script = fileURLToPath(new URL('check-install.ts', import.meta.url))

  /** A project folder with package.json, the lock npm wrote, the committed lock and node_modules. */
  const project = (packageJson: PackageManifest, after: Lockfile, versions: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-check-'))
    writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson))
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(after))
    writeFileSync(join(dir, 'committed-lock.json'), JSON.stringify(committed))
    for (const [path, version] of Object.entries(versions)) {
      mkdirSync(join(dir, path), { recursive: true })
      writeFileSync(join(dir, path, 'package.json'), JSON.stringify({ version }))
    }
    return dir
  }
  const run = (dir: string) =>
    spawnSync(process.execPath, [script, 'committed-lock.json'], { cwd: dir, encoding: 'utf8' })

  const onDisk = {
    'node_modules/rollup': '4.68.7',
    'node_modules/@rollup/rollup-linux-x64-gnu': '4.68.7',
    'node_modules/vite': '8.3.8',
  }

  it('passes when the install only added other platforms’ optional packages', () => {
    const after = lock({ ...committed.packages, 'node_modules/@rollup/rollup-darwin-arm64': rollupDarwin })
    const result = run(project(manifest, after, onDisk))
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
  })

  it('fails with the reason when package.json gained a dependency the lock lacks', () => {
    const changed = { ...manifest, dependencies: { ...manifest.dependencies, qrcode: '^1.5.4' } }
    const after = lock({ ...committed.packages, 'node_modules/qrcode': { version: '1.5.4', integrity: 'sha512-qr' } })
    const result = run(project(changed, after, { ...onDisk, 'node_modules/qrcode': '1.5.4' }))
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('run npm install and commit package-lock.json')
    expect(result.stderr).toContain('package.json dependencies has qrcode ^1.5.4, the lock has (none)')
  })

  it('fails when node_modules holds another version than the lock pins', () => {
    const result = run(project(manifest, committed, { ...onDisk, 'node_modules/vite': '8.4.0' }))
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('node_modules/vite is installed at 8.4.0, the lock pins 8.3.8')
  })
})
