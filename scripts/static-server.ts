/**
 * Serves a production build on 127.0.0.1 the way a static host would: real
 * MIME types (the wasm must be application/wasm), revalidation for the shell
 * and the service worker, long caching for hashed assets, and index.html for
 * in-app routes.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { extname, join, normalize, resolve } from 'node:path'

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
}

export interface StaticServer {
  readonly url: string
  close(): Promise<void>
}

const fileFor = async (root: string, pathname: string): Promise<string | undefined> => {
  const path = normalize(join(root, decodeURIComponent(pathname)))
  if (!path.startsWith(root)) return undefined
  const info = await stat(path).catch(() => undefined)
  if (info?.isFile()) return path
  // An in-app route (no file extension) gets the shell; a missing asset is a 404.
  return extname(pathname) === '' ? join(root, 'index.html') : undefined
}

const cacheControl = (pathname: string): string =>
  pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'

export const serveStatic = async (options: { root: string; port: number }): Promise<StaticServer> => {
  const root = resolve(options.root)
  const server: Server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    fileFor(root, pathname).then(
      (file) => {
        if (!file) {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
          return
        }
        response.writeHead(200, {
          'content-type': types[extname(file)] ?? 'application/octet-stream',
          'cache-control': cacheControl(pathname),
          'x-content-type-options': 'nosniff',
        })
        if (request.method === 'HEAD') response.end()
        else createReadStream(file).pipe(response)
      },
      () => response.writeHead(500).end(),
    )
  })
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', resolveListen)
  })
  return {
    url: `http://127.0.0.1:${options.port}`,
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections()
        server.close(() => {
          resolveClose()
        })
      }),
  }
}
