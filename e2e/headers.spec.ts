import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort } from '../scripts/free-port.ts'
import { serveStatic } from '../scripts/static-server.ts'
import { e2eTmp } from './env.ts'
import { expect, test } from './fixtures.ts'
import { AppPage } from './pages/app-page.ts'

const directive = (policy: string, name: string): string | undefined =>
  policy
    .split('; ')
    .find((entry) => entry.startsWith(`${name} `))
    ?.slice(name.length + 1)

test('the app is served with its security headers, and its page carries the same policy', async ({
  page,
  request,
  signal,
}) => {
  const response = await request.get('/')
  const headers = response.headers()
  const policy = headers['content-security-policy'] ?? ''
  expect(directive(policy, 'frame-ancestors')).toBe("'none'")
  // Only the relay this build was made for: not ws:, wss: or https: at large.
  expect(directive(policy, 'connect-src')).toBe(`'self' ${new URL(signal.relayUrl).origin}`)
  expect(headers['x-frame-options']).toBe('DENY')
  expect(headers['cross-origin-opener-policy']).toBe('same-origin')

  await page.goto('/')
  await expect(new AppPage(page).heading).toBeVisible()
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')
  expect(`${meta ?? ''}; frame-ancestors 'none'`).toBe(policy)
})

test('a page of another origin cannot frame the app', async ({ page, baseURL, errors }) => {
  // Another port of this machine: a different origin, and the same address space, so only our headers can refuse it.
  const dir = join(e2eTmp, 'framer')
  await mkdir(dir, { recursive: true })
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><title>framer</title><link rel="icon" href="data:,"><iframe title="app" src="${baseURL ?? ''}/#/settings" onload="document.title = 'loaded'"></iframe>`,
  )
  const framer = await serveStatic({ root: dir, port: await freePort() })
  try {
    // Chromium reports the refusal on the framing page's console.
    errors.allow(/violates the following Content Security Policy directive: "frame-ancestors 'none'"/)
    const refused = page.waitForEvent('console', (message) => message.text().includes("frame-ancestors 'none'"))
    await page.goto(framer.url)
    await refused
    // The iframe's load event fires for the browser's error page too.
    await expect(page).toHaveTitle('loaded')
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame())
    expect(frame?.url()).not.toContain(baseURL ?? 'no base URL')
    await expect(page.frameLocator('iframe').getByRole('heading', { name: 'Commonplace' })).toHaveCount(0)
  } finally {
    await framer.close()
  }
})
