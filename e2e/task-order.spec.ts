import { expect, test } from './fixtures.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

const TITLES = ['Laundry', 'Dishes', 'Groceries', 'Post', 'Plants']

test.beforeEach(async ({ page }) => {
  await page.goto('/')
  await new IdentityPage(page).createAndContinue('Ada')
  const space = new SpacePage(page)
  await space.createSpace('Chores')
  for (const title of TITLES) await space.addTask(title)
})

test('Alt+↑ pressed three times moves a task three places, focus staying on its checkbox', async ({ page }) => {
  const space = new SpacePage(page)
  const plants = space.taskCheckbox('Plants')
  await space.mark(plants, 'plants')
  await plants.focus()

  const expected = [
    ['Laundry', 'Dishes', 'Groceries', 'Plants', 'Post'],
    ['Laundry', 'Dishes', 'Plants', 'Groceries', 'Post'],
    ['Laundry', 'Plants', 'Dishes', 'Groceries', 'Post'],
  ]
  for (const [step, order] of expected.entries()) {
    await page.keyboard.press('Alt+ArrowUp')
    await expect.poll(() => space.taskTitles()).toEqual(order)
    await expect.poll(() => space.focusedMark()).toBe('plants')
    await expect(page.getByText(`Moved “Plants” to position ${String(4 - step)} of 5.`)).toBeAttached()
  }
  expect(await space.isMarked(plants, 'plants')).toBe(true)
})

test('Alt+↓ pressed three times in quick succession moves a task three places, focus staying on it', async ({
  page,
}) => {
  const space = new SpacePage(page)
  const laundry = space.taskCheckbox('Laundry')
  await space.mark(laundry, 'laundry')
  await laundry.focus()

  // No wait between presses: none of them is lost while the one before is saved.
  for (let press = 0; press < 3; press++) await page.keyboard.press('Alt+ArrowDown')
  await expect.poll(() => space.taskTitles()).toEqual(['Dishes', 'Groceries', 'Post', 'Laundry', 'Plants'])
  await expect.poll(() => space.focusedMark()).toBe('laundry')
  await expect(page.getByText('Moved “Laundry” to position 4 of 5.')).toBeAttached()

  await page.reload()
  await expect.poll(() => space.taskTitles()).toEqual(['Dishes', 'Groceries', 'Post', 'Laundry', 'Plants'])
})

test('ticking and unticking a task keeps the same checkbox element', async ({ page }) => {
  const space = new SpacePage(page)
  const dishes = space.taskCheckbox('Dishes')
  await space.mark(dishes, 'dishes')

  await dishes.check()
  await expect(dishes).toBeChecked()
  expect(await space.isMarked(dishes, 'dishes')).toBe(true)
  await dishes.uncheck()
  await expect(dishes).not.toBeChecked()
  expect(await space.isMarked(dishes, 'dishes')).toBe(true)
})

test('with a search, a task moves past the task shown above it; hidden tasks keep their places', async ({ page }) => {
  const space = new SpacePage(page)
  await space.search.fill('p')
  await expect.poll(() => space.taskTitles()).toEqual(['Post', 'Plants'])
  await space.taskCheckbox('Plants').focus()
  await page.keyboard.press('Alt+ArrowUp')
  await expect.poll(() => space.taskTitles()).toEqual(['Plants', 'Post'])
  await expect(page.getByText('Moved “Plants” to position 1 of 2.')).toBeAttached()

  await space.search.fill('')
  await expect.poll(() => space.taskTitles()).toEqual(['Laundry', 'Dishes', 'Groceries', 'Plants', 'Post'])
})
