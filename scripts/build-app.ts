import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))

/** Runs `vite build` into `outDir` with the given build id and signal relays; rejects with the output on failure. */
export const buildApp = (options: { outDir: string; build: string; signalUrls: string }): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['node_modules/vite/bin/vite.js', 'build', '--outDir', options.outDir, '--emptyOutDir', '--logLevel', 'error'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, APP_BUILD: options.build, VITE_SIGNAL_URLS: options.signalUrls },
      },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code === 0) resolve()
      else reject(new Error(`vite build failed (${code}):\n${output}`))
    })
  })
