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

/**
 * The next change once there is room: a rename writes another document than the tasks', so the reload reads the
 * tasks' document anew and shows what was stored, not an index row left from before.
 */
const renameThenReload = async (page: Page, space: SpacePage) => {
  await page.getByRole('button', { name: 'Rename space' }).click()
  await page.getByRole('textbox', { name: 'Space name' }).fill('Garden')
  await page.getByRole('button', { name: 'Save name' }).click()
  // The form closes once the rename is on disk; the heading changes before, with the document.
  await expect(page.getByRole('button', { name: 'Save name' })).toBeHidden()
  await expect(space.name).toHaveText('Garden')
  await page.reload()
  await expect(space.name).toHaveText('Garden')
}

test.beforeEach(async ({ page }) => {
  await page.goto('/')
  await new IdentityPage(page).createAndContinue('Ada')
  const space = new SpacePage(page)
  await space.createSpace('Full')
  await space.addTask('Water the plants')
  await space.addTask('Feed the cat')
})

test('a refused tick is taken back: the page, the words and what a reload finds all say it was not done', async ({
  page,
}) => {
  const space = new SpacePage(page)
  const disk = fullDisk(page)
  const panel = page.getByRole('region', { name: 'Tasks' })

  await disk.refuse()
  const box = space.taskCheckbox('Water the plants')
  await box.click()
  await expect(panel.getByRole('alert')).toContainText('out of storage space, so this change was not saved')
  await expect(box).not.toBeChecked()

  // Room again: the next change saves, and with it what the refused one left queued (the tick and its
  // undoing). A rename writes another document than the tasks', so the reload reads the tasks' document
  // anew: what it finds is what was stored, not an index row left from before.
  await disk.allow()
  await renameThenReload(page, space)
  await expect.poll(() => space.taskTitles()).toEqual(['Water the plants', 'Feed the cat'])
  await expect(box).not.toBeChecked()

  // And a tick with room is kept as before, once it is stored.
  await space.setDone('Water the plants')
  await page.reload()
  await expect(box).toBeChecked()
})

test('a refused Undo leaves the task deleted, as the toast says, and a reload after the next save agrees', async ({
  page,
}) => {
  const space = new SpacePage(page)
  const disk = fullDisk(page)
  await page.getByRole('button', { name: 'Delete “Feed the cat”' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Deleted “Feed the cat”.' })).toBeVisible()

  await disk.refuse()
  const toast = page.locator('.toast')
  await toast.getByRole('button', { name: 'Undo' }).click()
  await expect(toast.getByRole('alert')).toContainText('out of storage space, so this change was not saved')
  await expect(toast.getByRole('button', { name: 'Undo' })).toBeVisible()
  await expect.poll(() => space.taskTitles()).toEqual(['Water the plants'])

  await disk.allow()
  await renameThenReload(page, space)
  await expect.poll(() => space.taskTitles()).toEqual(['Water the plants'])
})
