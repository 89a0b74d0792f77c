import type { Page } from '@playwright/test'
import { freePort } from '../scripts/free-port.ts'
import { serveBuild } from '../scripts/static-server.ts'
import { e2eDist } from './env.ts'
import type { ErrorGuard } from './error-guard.ts'
import { AppPage } from './pages/app-page.ts'

/**
 * One online visit, then no web server: serves the build on a port of the
 * test's own (other tests keep the shared one), waits until the service worker
 * has the app cached, stops the server and returns the URL the app lived at.
 * The browser's failed update checks against the stopped server are expected.
 */
export const visitThenStopServer = async (page: Page, errors: ErrorGuard): Promise<string> => {
  const server = await serveBuild({ root: e2eDist, port: await freePort() })
  const app = new AppPage(page)
  await app.open(server.url)
  await app.waitUntilOfflineReady()
  await server.close()
  errors.allow(/ERR_CONNECTION_REFUSED|Failed to update a ServiceWorker/)
  return server.url
}
