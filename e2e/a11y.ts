/**
 * Accessibility checks shared by the specs: axe on what a page shows, in light and in dark, and a
 * form error tied to its field.
 */
import AxeBuilder from '@axe-core/playwright'
import { expect, type Locator, type Page } from '@playwright/test'

const rootBackground = (page: Page): Promise<string> =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)

/**
 * Runs every axe rule on the page as it is now, once with the system in light and once in dark, and
 * checks that the two really are drawn differently (a chosen theme would pin one).
 */
export const expectAccessible = async (page: Page, screen: string): Promise<void> => {
  const backgrounds: string[] = []
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    backgrounds.push(await rootBackground(page))
    const { violations } = await new AxeBuilder({ page }).analyze()
    const found = violations.map(({ id, nodes }) => ({ id, nodes: nodes.map((node) => node.target.join(' ')) }))
    expect(found, `axe on ${screen}, ${colorScheme}`).toEqual([])
  }
  await page.emulateMedia({ colorScheme: null })
  expect(new Set(backgrounds).size, `${screen} drawn in both themes`).toBe(2)
}

/** A refused field: marked invalid, described by its error, and focused so the error is read out. */
export const expectFieldError = async (field: Locator, message: string | RegExp): Promise<void> => {
  await expect(field).toHaveAttribute('aria-invalid', 'true')
  await expect(field).toHaveAccessibleDescription(message instanceof RegExp ? message : new RegExp(escape(message)))
  await expect(field).toBeFocused()
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
