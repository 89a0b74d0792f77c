import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { buildApp } from '../scripts/build-app.ts'
import { freePort } from '../scripts/free-port.ts'
import { serveBuild } from '../scripts/static-server.ts'
import { E2E_BUILD, e2eDist, e2eTmp } from './env.ts'
import { expect, test } from './fixtures.ts'
import { visitThenStopServer } from './offline.ts'
import { AppPage } from './pages/app-page.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

test('the app loads without errors and Chromium reports it installable', async ({ openPersistentDevice }) => {
  const { page } = await openPersistentDevice()
  const app = new AppPage(page)
  await app.open()
  await expect(app.heading).toBeVisible()
  await expect(page.getByText('Notes and tasks on your own devices')).toBeVisible()
  await expect(app.version).toHaveText(new RegExp(`\\+${E2E_BUILD}$`))
  await app.waitUntilOfflineReady()

  const cdp = await page.context().newCDPSession(page)
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors')
  expect(installabilityErrors).toEqual([])
  const manifest = await cdp.send('Page.getAppManifest')
  expect(manifest.errors).toEqual([])
})

test('the first screen is accessible at desktop and phone widths, light and dark', async ({ page }) => {
  const app = new AppPage(page)
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 360, height: 740 },
  ]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize(viewport)
      await page.emulateMedia({ colorScheme })
      await app.open()
      await expect(app.heading).toBeVisible()
      const results = await new AxeBuilder({ page }).analyze()
      expect(results.violations, `${colorScheme} at ${viewport.width}px`).toEqual([])
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)
      expect(overflow, `horizontal scrolling at ${viewport.width}px`).toBe(false)
    }
  }
  await expect(page.getByRole('banner')).toBeVisible()
  await expect(page.getByRole('main')).toBeVisible()
  await expect(page.getByRole('contentinfo')).toBeVisible()
  await expect(page.getByRole('heading', { level: 2, name: 'Create your identity' })).toBeVisible()
  await expect(page.getByRole('heading', { level: 2, name: 'Spaces' })).toBeVisible()

  // The keyboard reaches the skip link first, and it moves focus to the content.
  await page.keyboard.press('Tab')
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('main')).toBeFocused()
})

test('the chosen theme applies and is remembered', async ({ page }) => {
  const app = new AppPage(page)
  await app.open()
  await page.getByRole('radio', { name: 'Dark' }).check()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await page.reload()
  await expect(page.getByRole('radio', { name: 'Dark' })).toBeChecked()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
})

test('after one online visit, the app reloads with its web server stopped', async ({ page, errors }) => {
  const url = await visitThenStopServer(page, errors)
  const app = new AppPage(page)
  await page.reload()
  await expect(app.heading).toBeVisible()
  await expect(app.version).toHaveText(new RegExp(`\\+${E2E_BUILD}$`))
  // A route inside the app also opens from the cache.
  await page.goto(`${url}/spaces/anything`)
  await expect(app.heading).toBeVisible()
})

test.describe('with service workers blocked (a private mode, a policy)', () => {
  test.use({ serviceWorkers: 'block' })

  test('the status says in plain words that the app cannot be kept offline, and the app works online', async ({
    page,
  }) => {
    const app = new AppPage(page)
    await app.open()
    await expect(app.offlineReadiness).toHaveText('This browser cannot keep Commonplace for offline use')
    await new IdentityPage(page).createAndContinue('Online Otto')
    const space = new SpacePage(page)
    await space.createSpace('Online only')
    await space.addTask('Still works')
    await app.checkForUpdates.click()
    await expect(app.checkForUpdates).toBeEnabled()

    await page.reload()
    await expect(space.tasks.getByText('Still works', { exact: true })).toBeVisible()
    await expect(app.offlineReadiness).toHaveText('This browser cannot keep Commonplace for offline use')
    // No error text of the code's own, anywhere on the page.
    await expect(page.locator('body')).not.toContainText(/undefined|TypeError|Cannot read/)
  })
})

test('a newer build is offered to an open page and runs after consent', async ({ page, signal }) => {
  test.setTimeout(120_000)
  // A directory of this run's own: repeated or parallel runs would otherwise empty each other's build.
  const nextDist = await mkdtemp(join(e2eTmp, 'dist-next-'))
  await buildApp({ outDir: nextDist, build: 'e2e-2', signalUrls: signal.relayUrl })
  const port = await freePort()
  let server = await serveBuild({ root: e2eDist, port })
  const app = new AppPage(page)
  await app.open(server.url)
  await app.waitUntilOfflineReady()
  await expect(app.version).toHaveText(/\+e2e-1$/)

  // The same origin now serves the next build.
  await server.close()
  server = await serveBuild({ root: nextDist, port })
  try {
    await app.checkForUpdates.click()
    await expect(app.reloadToUpdate).toBeVisible()
    // Nothing changes until the person agrees.
    await expect(app.version).toHaveText(/\+e2e-1$/)
    await app.reloadToUpdate.click()
    await expect(app.version).toHaveText(/\+e2e-2$/)
    await expect(app.reloadToUpdate).toBeHidden()
  } finally {
    await server.close()
    await rm(nextDist, { recursive: true, force: true })
  }
})

test('two browser contexts open a WebRTC data channel with no ICE servers', async ({ openDevices }) => {
  const [alice, bob] = await openDevices(2)
  if (!alice || !bob) throw new Error('two devices expected')
  await Promise.all([alice.page.goto('/'), bob.page.goto('/')])

  // The test process carries the offer and answer; the channel itself is peer to peer.
  const offer = await alice.page.evaluate(async () => {
    const connection = new RTCPeerConnection({ iceServers: [] })
    const channel = connection.createDataChannel('probe')
    Object.assign(window, { probe: { connection, channel } })
    await connection.setLocalDescription(await connection.createOffer())
    await new Promise<void>((resolve) => {
      if (connection.iceGatheringState === 'complete') resolve()
      connection.addEventListener('icegatheringstatechange', () => {
        if (connection.iceGatheringState === 'complete') resolve()
      })
    })
    return JSON.stringify(connection.localDescription)
  })
  const answer = await bob.page.evaluate(async (offerJson) => {
    const connection = new RTCPeerConnection({ iceServers: [] })
    const received = new Promise<string>((resolve) => {
      connection.addEventListener('datachannel', ({ channel }) => {
        channel.addEventListener('message', ({ data }) => {
          channel.send(`echo:${String(data)}`)
          resolve(String(data))
        })
      })
    })
    Object.assign(window, { received })
    await connection.setRemoteDescription(JSON.parse(offerJson) as RTCSessionDescriptionInit)
    await connection.setLocalDescription(await connection.createAnswer())
    await new Promise<void>((resolve) => {
      if (connection.iceGatheringState === 'complete') resolve()
      connection.addEventListener('icegatheringstatechange', () => {
        if (connection.iceGatheringState === 'complete') resolve()
      })
    })
    return JSON.stringify(connection.localDescription)
  }, offer)
  const echoed = await alice.page.evaluate(async (answerJson) => {
    const { connection, channel } = (
      window as unknown as { probe: { connection: RTCPeerConnection; channel: RTCDataChannel } }
    ).probe
    await connection.setRemoteDescription(JSON.parse(answerJson) as RTCSessionDescriptionInit)
    if (channel.readyState !== 'open') await new Promise((resolve) => channel.addEventListener('open', resolve))
    const reply = new Promise<string>((resolve) =>
      channel.addEventListener('message', ({ data }) => resolve(String(data))),
    )
    channel.send('hello from alice')
    return reply
  }, answer)
  expect(echoed).toBe('echo:hello from alice')
  expect(await bob.page.evaluate(() => (window as unknown as { received: Promise<string> }).received)).toBe(
    'hello from alice',
  )
})
