/**
 * The suite's fixtures. Every test gets:
 * - `baseURL`: the app build served by the global setup;
 * - `signal`: the local signal worker's URLs;
 * - `errors`: a guard that fails the test on any page or console error in any
 *   page it opened (the default `page` and every device);
 * - `openDevices(n)`: n independent browser contexts, each one device or person
 *   with its own storage, each with a page;
 * - `openPersistentDevice()`: a non-incognito profile on disk, needed where
 *   installability is checked.
 * Pages of both device kinds are watched by a `PageLog`: a failed test gets a
 * report of what each still-open page showed and its mesh's last events.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, expect, test as base, type BrowserContext, type Page } from '@playwright/test'
import { chromiumLaunchOptions } from '../scripts/chromium.ts'
import { e2eTmp, envKeys, fromSetup } from './env.ts'
import { ErrorGuard } from './error-guard.ts'
import { PageLog } from './page-log.ts'

export interface Device {
  readonly context: BrowserContext
  readonly page: Page
}

interface SignalUrls {
  readonly httpUrl: string
  readonly relayUrl: string
}

interface Fixtures {
  errors: ErrorGuard
  pageLog: PageLog
  signal: SignalUrls
  openDevices: (count: number) => Promise<Device[]>
  openPersistentDevice: (options?: { serviceWorkers?: 'allow' | 'block' }) => Promise<Device>
}

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use) => {
    await use(fromSetup(envKeys.appUrl))
  },
  signal: async ({}, use) => {
    await use({ httpUrl: fromSetup(envKeys.signalHttpUrl), relayUrl: fromSetup(envKeys.signalRelayUrl) })
  },
  errors: [
    async ({}, use) => {
      const guard = new ErrorGuard()
      await use(guard)
      expect(guard.unexpected(), 'page errors and console errors').toEqual([])
    },
    { auto: true },
  ],
  pageLog: async ({}, use) => {
    await use(new PageLog())
  },
  context: async ({ context, errors }, use) => {
    errors.watch(context)
    await use(context)
  },
  openDevices: async ({ browser, baseURL, errors, pageLog }, use, testInfo) => {
    const contexts: BrowserContext[] = []
    await use(async (count) => {
      const devices: Device[] = []
      for (let i = 0; i < count; i++) {
        const context = await browser.newContext({ baseURL: baseURL ?? '' })
        contexts.push(context)
        errors.watch(context)
        pageLog.watch(context, `device ${String(contexts.length)}`)
        devices.push({ context, page: await context.newPage() })
      }
      return devices
    })
    await pageLog.reportIfFailed(testInfo)
    await Promise.all(contexts.map((context) => context.close()))
  },
  openPersistentDevice: async ({ baseURL, errors, pageLog }, use, testInfo) => {
    const opened: { context: BrowserContext; dir: string }[] = []
    await use(async (options = {}) => {
      const dir = await mkdtemp(join(e2eTmp, 'profile-'))
      const context = await chromium.launchPersistentContext(dir, {
        ...chromiumLaunchOptions(),
        baseURL: baseURL ?? '',
        serviceWorkers: options.serviceWorkers ?? 'allow',
      })
      opened.push({ context, dir })
      errors.watch(context)
      pageLog.watch(context, `profile ${String(opened.length)}`)
      const page = context.pages()[0] ?? (await context.newPage())
      return { context, page }
    })
    await pageLog.reportIfFailed(testInfo)
    for (const { context, dir } of opened) {
      await context.close()
      await rm(dir, { recursive: true, force: true })
    }
  },
})

export { expect }
