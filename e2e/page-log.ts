import type { BrowserContext, Page, TestInfo } from '@playwright/test'

/**
 * Lines kept per page: the last events of a busy mesh. The whole report is printed at the end of the run
 * (`pages-reporter.ts`), and a CI log is read from its last 120 lines or so.
 */
const KEPT_LINES = 30
/** Characters kept of a line: a trace line is at most about 160. */
const LINE_CHARS = 200

interface Watched {
  readonly label: string
  readonly page: Page
  readonly lines: string[]
}

/**
 * What each page said before a test failed: a timeout names the element it waited for, never what the page showed
 * instead (a join still looking for someone, a sync status) nor what its mesh did (the app's `mesh …` debug lines,
 * `src/base/trace.ts`). Watches every page of the contexts it is given and, when the test failed, attaches a
 * report of the pages still open, which the list reporter prints under the error.
 */
export class PageLog {
  readonly #pages: Watched[] = []
  readonly #started = Date.now()
  #reported = false

  watch(context: BrowserContext, label: string): void {
    for (const page of context.pages()) this.#watchPage(page, label)
    context.on('page', (page) => {
      this.#watchPage(page, label)
    })
  }

  /** Attaches the report once, if the test failed; call before the pages close. */
  async reportIfFailed(testInfo: TestInfo): Promise<void> {
    if (this.#reported || testInfo.status === testInfo.expectedStatus) return
    this.#reported = true
    const parts: string[] = []
    for (const { label, page, lines } of this.#pages) {
      if (page.isClosed()) continue
      // A page stuck or flooded (a hostile-peer case) is not waited for: the report and the teardown go on.
      const shown = await Promise.race([
        page.evaluate(describeShown),
        new Promise<string>((resolve) => setTimeout(() => resolve('(not read within 2 s)'), 2_000)),
      ]).catch((error: unknown) => `(not read: ${String(error)})`)
      // A page that shows nothing and said nothing (a hostile test page) is left out.
      if (shown.trim() === '' && lines.length === 0) continue
      parts.push(`== ${label} ${new URL(page.url()).pathname}\n${shown}\n${lines.join('\n')}`)
    }
    await testInfo.attach('pages', { body: parts.join('\n\n'), contentType: 'text/plain' })
  }

  #watchPage(page: Page, context: string): void {
    const watched: Watched = { label: `${context} page ${String(this.#pages.length + 1)}`, page, lines: [] }
    this.#pages.push(watched)
    page.on('console', (message) => {
      const type = message.type()
      // Errors too: Trystero logs there a connection that failed or that the remote closed (its "peer error").
      if (type !== 'debug' && type !== 'warning' && type !== 'error') return
      // A warning's or error's first line only (a stack says nothing of the mesh), cut: the report is read in a CI
      // log's tail.
      const text = (message.text().split('\n', 1)[0] ?? '').slice(0, LINE_CHARS)
      watched.lines.push(`${String(Date.now() - this.#started).padStart(6)} ${text}`)
      if (watched.lines.length > KEPT_LINES) watched.lines.shift()
    })
  }
}

/** Headings, the sync status, and every status and alert the page shows, one per line (runs in the page). */
const describeShown = (): string => {
  const texts = [...document.querySelectorAll('h1, h2, [data-testid="sync-status"], [role="status"], [role="alert"]')]
    .filter((element) => element instanceof HTMLElement && element.offsetParent !== null)
    .map((element) => `${element.tagName.toLowerCase()}: ${element.textContent.replace(/\s+/g, ' ').trim()}`)
    .filter((text) => !text.endsWith(': '))
  // The lists a test waits in (Tasks, Notes): how many items, and the first few.
  const lists = [...document.querySelectorAll('ul[aria-label], ol[aria-label]')].map((list) => {
    const items = [...list.querySelectorAll(':scope > li')].map((item) => item.textContent.trim().slice(0, 40))
    return `list ${list.getAttribute('aria-label') ?? ''}: ${String(items.length)}: ${items.slice(0, 5).join(' | ')}`
  })
  return [...texts, ...lists].join('\n')
}
