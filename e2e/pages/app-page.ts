import type { Locator, Page } from '@playwright/test'

/** The app shell as a person sees it. */
export class AppPage {
  readonly heading: Locator
  readonly connectivity: Locator
  readonly offlineReadiness: Locator
  readonly version: Locator
  readonly reloadToUpdate: Locator
  readonly checkForUpdates: Locator

  readonly page: Page

  constructor(page: Page) {
    this.page = page
    this.heading = page.getByRole('heading', { level: 1, name: 'Commonplace' })
    this.connectivity = page.getByTestId('connectivity')
    this.offlineReadiness = page.getByTestId('offline-readiness')
    this.version = page.getByTestId('app-version')
    this.reloadToUpdate = page.getByRole('button', { name: 'Reload to update' })
    this.checkForUpdates = page.getByRole('button', { name: 'Check for updates' })
  }

  async open(path = '/'): Promise<void> {
    await this.page.goto(path)
  }

  /** Resolves once the service worker controls the page and the app is cached for offline use. */
  async waitUntilOfflineReady(): Promise<void> {
    await this.page.waitForFunction(() => navigator.serviceWorker.controller !== null)
    await this.offlineReadiness.filter({ hasText: 'Works offline' }).waitFor()
  }
}
