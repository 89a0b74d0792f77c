import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter'

/**
 * Prints each failed test's `pages` report (`page-log.ts`) whole, after the list reporter's summary. The list
 * reporter cuts a text attachment to its first 300 characters, and a CI log is often read from its end, so the
 * report, which says what each page showed and what its mesh did, goes last and whole.
 */
export default class PagesReporter implements Reporter {
  readonly #reports: string[] = []

  printsToStdio(): boolean {
    return true
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === test.expectedStatus) return
    const pages = result.attachments.find((attachment) => attachment.name === 'pages')?.body
    if (pages === undefined) return
    this.#reports.push(`-- ${test.titlePath().slice(1).join(' › ')} (${result.status})\n${pages.toString()}`)
  }

  onEnd(_result: FullResult): void {
    if (this.#reports.length === 0) return
    process.stdout.write(`\nWhat the pages of each failed test showed and their last mesh events:\n\n`)
    process.stdout.write(`${this.#reports.join('\n\n')}\n`)
  }
}
