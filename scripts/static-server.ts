/**
 * Serves a production build on 127.0.0.1 the way a static host would: real
 * MIME types (the wasm must be application/wasm), revalidation for the shell
 * and the service worker, long caching for hashed assets, index.html for
 * in-app routes, and the build's security headers (see `headers-file.ts`).
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { readHeadersFile } from './headers-file.ts'

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

export interface StaticServerOptions {
  readonly root: string
  readonly port: number
  /** Sent with every response, e.g. the build's `_headers` (`readHeadersFile`); none by default. */
  readonly headers?: Readonly<Record<string, string>>
}

type Lookup = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'bad-request' | 'not-found' }

const decodePath = (pathname: string): string | undefined => {
  try {
    const decoded = decodeURIComponent(pathname)
    return decoded.includes('\0') ? undefined : decoded
  } catch {
    // A malformed escape (`%E0%A4%A`) is the client's mistake, not a server error.
    return undefined
  }
}

/** The file a request path names, if it lies inside `root` (an absolute, resolved path). */
const lookUp = async (root: string, pathname: string): Promise<Lookup> => {
  const decoded = decodePath(pathname)
  if (decoded === undefined) return { kind: 'bad-request' }
  // `..%2f` survives URL normalisation and is only decoded here, so the check is on the resolved path.
  // `root + sep` keeps a sibling such as `dist-private` out when the root is `dist`.
  const path = resolve(root, `.${decoded}`)
  if (path !== root && !path.startsWith(root + sep)) return { kind: 'not-found' }
  const info = await stat(path).catch(() => undefined)
  if (info?.isFile()) return { kind: 'file', path }
  // An in-app route (no file extension) gets the shell; a missing asset is a 404.
  return extname(decoded) === '' ? { kind: 'file', path: join(root, 'index.html') } : { kind: 'not-found' }
}

const cacheControl = (pathname: string): string =>
  pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'

export const serveStatic = async (options: StaticServerOptions): Promise<StaticServer> => {
  const root = resolve(options.root)
  // Lower-cased, so a header of the build's file replaces the server's own of that name instead of doubling it.
  const extra = Object.fromEntries(
    Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  )
  const server: Server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    const plain = (status: number, body: string): void => {
      response.writeHead(status, { ...extra, 'content-type': 'text/plain; charset=utf-8' }).end(body)
    }
    lookUp(root, pathname).then(
      (found) => {
        switch (found.kind) {
          case 'bad-request':
            plain(400, 'Bad request')
            return
          case 'not-found':
            plain(404, 'Not found')
            return
          case 'file':
            response.writeHead(200, {
              'x-content-type-options': 'nosniff',
              ...extra,
              'content-type': types[extname(found.path)] ?? 'application/octet-stream',
              'cache-control': cacheControl(pathname),
            })
            if (request.method === 'HEAD') response.end()
            else createReadStream(found.path).pipe(response)
        }
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

/** Serves an app build with the headers it wrote into its `_headers` (rejects if it wrote none). */
export const serveBuild = async (options: { readonly root: string; readonly port: number }): Promise<StaticServer> =>
  serveStatic({ ...options, headers: await readHeadersFile(options.root) })
