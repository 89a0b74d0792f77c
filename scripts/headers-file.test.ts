import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { securityHeaders } from './csp.ts'
import { freePort } from './free-port.ts'
import { formatHeadersFile, parseHeadersFile, readHeadersFile } from './headers-file.ts'
import { serveStatic, type StaticServer } from './static-server.ts'

const headers = securityHeaders(['wss://signal.example.org'])

describe('the _headers file', () => {
  it('reads back exactly what it was written with', () => {
    expect(parseHeadersFile(formatHeadersFile(headers))).toEqual(headers)
  })

  it('refuses a file it does not understand instead of serving without headers', () => {
    expect(() => parseHeadersFile('/assets/*\n  X-Frame-Options: DENY\n')).toThrow(/one "\/\*" block/)
    expect(() => parseHeadersFile('/*\nX-Frame-Options: DENY\n')).toThrow(/Name: value/)
  })
})

describe('the static server with a build’s _headers', () => {
  let dir: string
  let server: StaticServer

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headers-file-'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>shell</title>')
    await writeFile(join(dir, '_headers'), formatHeadersFile(headers))
    server = await serveStatic({ root: dir, port: await freePort(), headers: await readHeadersFile(dir) })
  })
  afterAll(async () => {
    await server.close()
    await rm(dir, { recursive: true, force: true })
  })

  it.each([
    ['the shell', '/', 200],
    ['an in-app route', '/settings', 200],
    ['a missing asset', '/missing.js', 404],
    ['a malformed path', '/%E0%A4%A', 400],
  ])('sends every header of the file with %s', async (_, path, status) => {
    const response = await fetch(`${server.url}${path}`)
    expect(response.status).toBe(status)
    for (const [name, value] of Object.entries(headers)) expect(response.headers.get(name)).toBe(value)
  })

  it('cannot start from a build without the file', async () => {
    await expect(readHeadersFile(join(dir, 'nowhere'))).rejects.toThrow(/ENOENT/)
  })
})
