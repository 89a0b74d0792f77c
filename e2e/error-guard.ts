import type { BrowserContext, Page } from '@playwright/test'

/**
 * Collects every uncaught page error and console error of the contexts it
 * watches, so a test fails on them. A test that provokes errors on purpose
 * (a stopped server, say) declares them with `allow`.
 */
export class ErrorGuard {
  readonly #errors: string[] = []
  readonly #allowed: RegExp[] = []

  watch(context: BrowserContext): void {
    for (const page of context.pages()) this.#watchPage(page)
    context.on('page', (page) => {
      this.#watchPage(page)
    })
  }

  allow(pattern: RegExp): void {
    this.#allowed.push(pattern)
  }

  /** The errors seen so far that no `allow` pattern covers. */
  unexpected(): string[] {
    return this.#errors.filter((error) => !this.#allowed.some((pattern) => pattern.test(error)))
  }

  #watchPage(page: Page): void {
    page.on('pageerror', (error) => this.#errors.push(`page error on ${page.url()}: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') this.#errors.push(`console error on ${page.url()}: ${message.text()}`)
    })
  }
}
