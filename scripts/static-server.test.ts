import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from './free-port.ts'
import { serveStatic, type StaticServer } from './static-server.ts'

let dir: string
let server: StaticServer

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'static-server-'))
  // A sibling whose name starts with the root's: a bare `startsWith(root)` lets it through.
  await mkdir(join(dir, 'dist', 'assets'), { recursive: true })
  await mkdir(join(dir, 'dist-private'))
  await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><title>shell</title>')
  await writeFile(join(dir, 'dist', 'assets', 'app.js'), 'export {}')
  await writeFile(join(dir, 'dist-private', 'secret.txt'), 'TOP SECRET')
  await writeFile(join(dir, 'outside.txt'), 'OUTSIDE')
  server = await serveStatic({ root: join(dir, 'dist'), port: await freePort() })
})
afterAll(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

const get = async (path: string): Promise<{ status: number; body: string }> => {
  const response = await fetch(`${server.url}${path}`)
  return { status: response.status, body: await response.text() }
}

describe('serveStatic', () => {
  it('serves files, and the shell for in-app routes', async () => {
    expect(await get('/assets/app.js')).toEqual({ status: 200, body: 'export {}' })
    expect((await get('/spaces/some-space')).body).toContain('<title>shell</title>')
    expect((await get('/')).body).toContain('<title>shell</title>')
    expect((await get('/assets/missing.js')).status).toBe(404)
  })

  it.each([
    '/..%2fdist-private/secret.txt',
    '/..%2Fdist-private%2Fsecret.txt',
    '/assets/..%2f..%2fdist-private/secret.txt',
    '/..%2f..%2foutside.txt',
    '/%2e%2e%2foutside.txt',
  ])('never serves a file outside the root: %s', async (path) => {
    const { status, body } = await get(path)
    expect(status).toBe(404)
    expect(body).not.toMatch(/SECRET|OUTSIDE/)
  })

  it.each(['/%E0%A4%A', '/%', '/a%00b.txt'])('answers a malformed path with 400: %s', async (path) => {
    expect((await get(path)).status).toBe(400)
  })
})
