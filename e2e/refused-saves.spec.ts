import type { Page } from '@playwright/test'
import { expect, test } from './fixtures.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

/**
 * Makes the page's IndexedDB refuse writes to ECHO's database with the browser's `QuotaExceededError`,
 * as a full disk does, until `allow` is called.
 */
const fullDisk = (page: Page) => {
  const set = (refuse: boolean) =>
    page.evaluate((on) => {
      type Write = (this: IDBObjectStore, value: unknown, key?: IDBValidKey) => IDBRequest<IDBValidKey>
      const state = globalThis as unknown as { writes?: { put: Write; add: Write } }
      const prototype = IDBObjectStore.prototype
      state.writes ??= { put: Reflect.get(prototype, 'put') as Write, add: Reflect.get(prototype, 'add') as Write }
      const { put, add } = state.writes
      const refusing = (write: Write): Write =>
        function (this: IDBObjectStore, value, key) {
          if (on && this.transaction.db.name === 'commonplace-echo')
            throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
          return write.call(this, value, key)
        }
      prototype.put = refusing(put)
      prototype.add = refusing(add)
    }, refuse)
  return { refuse: () => set(true), allow: () => set(false) }
}

test.beforeEach(async ({ page }) => {
  await page.goto('/')
  await new IdentityPage(page).createAndContinue('Ada')
})

test('a refused save is told in words: the checkbox shows what is stored and the undo stays offered', async ({
  page,
}) => {
  const space = new SpacePage(page)
  const disk = fullDisk(page)
  await space.createSpace('Full')
  await space.addTask('Water the plants')
  await space.addTask('Feed the cat')
  const panel = page.getByRole('region', { name: 'Tasks' })

  await disk.refuse()
  const box = space.tasks.getByRole('checkbox', { name: 'Water the plants' })
  await box.click()
  await expect(panel.getByRole('alert')).toContainText('out of storage space, so this change was not saved')
  await expect(box).not.toBeChecked()

  await disk.allow()
  await page.getByRole('button', { name: 'Delete “Feed the cat”' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Deleted “Feed the cat”.' })).toBeVisible()
  await disk.refuse()
  await page.getByRole('button', { name: 'Undo' }).click()
  const toast = page.locator('.toast')
  await expect(toast.getByRole('alert')).toContainText('out of storage space')
  await expect(toast.getByRole('button', { name: 'Undo' })).toBeVisible()
})
