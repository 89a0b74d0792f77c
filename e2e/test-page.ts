/**
 * Bare test pages that run project code outside the app (the relay page, the hostile peer): bundled with esbuild
 * from one entry into a directory of their own and served on their own 127.0.0.1 origin. Parallel or repeated runs
 * each build their own: rewriting one shared `page.js` could serve half a file.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'
import { freePort } from '../scripts/free-port.ts'
import { serveStatic, type StaticServer } from '../scripts/static-server.ts'
import { e2eTmp } from './env.ts'

/** Builds `entry` into a page titled `title` and serves it; `url` is the page to open. */
export const serveTestPage = async (entry: URL, title: string): Promise<StaticServer> => {
  await mkdir(e2eTmp, { recursive: true })
  const pageDir = await mkdtemp(join(e2eTmp, 'test-page-'))
  await build({
    entryPoints: [entry.pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2023',
    outfile: join(pageDir, 'page.js'),
    // The page passes its settings explicitly; no build-time defaults are read.
    define: { 'import.meta.env': '{}' },
    logLevel: 'warning',
  })
  await writeFile(
    join(pageDir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>${title}</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>\n`,
  )
  const server = await serveStatic({ root: pageDir, port: await freePort() })
  return {
    url: server.url,
    close: async () => {
      await server.close()
      await rm(pageDir, { recursive: true, force: true })
    },
  }
}
