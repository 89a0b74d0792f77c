import { readFile } from 'node:fs/promises'
import { expect, test } from './fixtures.ts'
import { visitThenStopServer } from './offline.ts'
import { IdentityPage } from './pages/identity-page.ts'
import { SpacePage } from './pages/space-page.ts'

test('with the web server stopped, work done offline is all there after a reload', async ({ page, errors }) => {
  await visitThenStopServer(page, errors)
  await page.reload()
  await new IdentityPage(page).createAndContinue('Offline Olga')
  const space = new SpacePage(page)
  await space.createSpace('Cabin')
  await space.createNote('No signal', 'Written without any network.')
  await space.backToNotes()
  await space.addTask('Chop wood')

  await page.reload()
  await expect(space.notes.getByRole('link', { name: 'No signal' })).toBeVisible()
  await expect.poll(() => space.taskTitles()).toEqual(['Chop wood'])
  await space.notes.getByRole('link', { name: 'No signal' }).click()
  await expect(space.noteText).toHaveText('Written without any network.')
})

/**
 * Setting up (identity, space, task, note) stores about 95 KB; a chunk of 100,000 random printable
 * characters adds about 310 KB. Chromium checks a write against the usage it counted a moment before,
 * so a chunk or two past the quota still go through and the third is refused (measured: 3 chunks,
 * 8-12 s, 19 s with the CPU slowed 3x). The cap only turns a quota that never bites into a failure.
 */
const FULL_DISK = { quota: 300_000, chunkChars: 100_000, maxChunks: 8 } as const

/** Seeded random printable ASCII (mulberry32): about 6.5 bits a character, so neither deflate nor snappy shrink it much. */
const incompressibleText = (seed: number) => {
  let state = seed
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
  return (length: number): string =>
    Array.from({ length }, () => String.fromCharCode(33 + Math.floor(next() * 94))).join('')
}

test('a full disk is told in words and what was saved before stays intact', async ({
  openPersistentDevice,
  baseURL,
}) => {
  // Chromium obeys a quota override only in a profile on disk and only when it is set before the origin
  // stores anything: each run gets a fresh profile, so the override is set first. estimate() keeps
  // reporting the real quota; CDP's own figure says whether the override took. The service worker's
  // cache (megabytes) is kept out of the count.
  const { page } = await openPersistentDevice({ serviceWorkers: 'block' })
  const cdp = await page.context().newCDPSession(page)
  const origin = `${new URL(baseURL ?? '').origin}/`
  const stored = () => cdp.send('Storage.getUsageAndQuota', { origin })
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: FULL_DISK.quota })
  expect(await stored()).toMatchObject({ quota: FULL_DISK.quota, overrideActive: true })
  await page.goto('/')
  await new IdentityPage(page).createAndContinue('Quota Quinn')
  const space = new SpacePage(page)
  await space.createSpace('Full')
  await space.addTask('Saved before the disk filled')
  await space.createNote('Big note', 'start ')

  // Paste text that does not compress, a chunk at a time; after each chunk, wait until it is on disk
  // or refused (a fixed wait is too short on a loaded machine and wasted on a quiet one).
  const noise = incompressibleText(1)
  const full = page.getByRole('alert').filter({ hasText: 'out of storage space' })
  for (let chunk = 0; chunk < FULL_DISK.maxChunks && !(await full.isVisible()); chunk++) {
    const before = (await stored()).usage
    await page.keyboard.insertText(noise(FULL_DISK.chunkChars))
    await expect
      .poll(async () => (await full.isVisible()) || (await stored()).usage > before, {
        message: 'the chunk is saved or refused',
      })
      .toBe(true)
  }

  await expect(page.getByRole('alert')).toContainText('out of storage space')
  await expect(page.getByRole('alert')).toContainText('Everything saved before is safe')

  await page.reload()
  await expect(space.tasks.getByText('Saved before the disk filled', { exact: true })).toBeVisible()
  // The page reopens on the note: its title and the text saved before the disk filled are there.
  await expect(space.noteTitle).toHaveValue('Big note')
  await expect(space.noteText).toContainText('start ')
})

test('a renderer killed during a burst of writes reopens to a consistent prefix', async ({ context, page }) => {
  await page.goto('/')
  await new IdentityPage(page).createAndContinue('Crash Carla')
  const space = new SpacePage(page)
  await space.createSpace('Burst')
  const url = page.url()
  await space.addTask('Task 01')

  // Keep adding tasks while the renderer is killed part way through.
  const crashed = page.waitForEvent('crash')
  const burst = (async () => {
    for (let i = 2; i <= 40; i++) {
      await page.getByPlaceholder('Add a task').fill(`Task ${String(i).padStart(2, '0')}`)
      await page.getByRole('button', { name: 'Add task' }).click()
      if (i === 12) void (await context.newCDPSession(page)).send('Page.crash').catch(() => undefined)
    }
  })().catch(() => undefined)
  await crashed
  await burst

  const reopened = await context.newPage()
  await reopened.goto(url)
  const after = new SpacePage(reopened)
  await expect(after.tasks).toBeVisible()
  const titles = await after.taskTitles()
  expect(titles.length).toBeGreaterThanOrEqual(1)
  expect(titles).toEqual(titles.map((_, i) => `Task ${String(i + 1).padStart(2, '0')}`))

  // The space still takes writes after the crash.
  await after.addTask('After the crash')
  await reopened.reload()
  await expect(after.tasks.getByText('After the crash', { exact: true })).toBeVisible()
})

test('a space exports to one file that imports elsewhere exactly; a note exports as Markdown', async ({
  page,
  openDevices,
}) => {
  await page.goto('/')
  await new IdentityPage(page).createAndContinue('Export Eve')
  const space = new SpacePage(page)
  await space.createSpace('Recipes')
  await space.createNote('Bread', 'Flour, water, salt.')
  const markdown = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export as Markdown' }).click()
  expect(await readFile(await (await markdown).path(), 'utf8')).toBe('# Bread\n\nFlour, water, salt.\n')
  await space.backToNotes()
  await space.addTask('Buy yeast')
  await space.addTask('Feed the starter')
  await space.setDone('Buy yeast')

  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export space' }).click()
  const file = await (await download).path()

  const [other] = await openDevices(1)
  if (!other) throw new Error('a second device expected')
  await other.page.goto('/')
  await new IdentityPage(other.page).createAndContinue('Import Ian')
  await other.page.getByLabel('Import a space file').setInputFiles(file)
  const imported = new SpacePage(other.page)
  await expect(imported.name).toHaveText('Recipes')
  await expect(imported.notes.getByRole('link', { name: 'Bread' })).toBeVisible()
  await expect.poll(() => imported.taskTitles()).toEqual(['Buy yeast', 'Feed the starter'])
  await expect(imported.tasks.getByRole('checkbox', { name: 'Buy yeast' })).toBeChecked()
  await imported.notes.getByRole('link', { name: 'Bread' }).click()
  await expect(imported.noteText).toHaveText('Flour, water, salt.')
})

test('spaces cleared by the browser are reported, never taken for a first run', async ({ page }) => {
  await page.goto('/')
  await new IdentityPage(page).createAndContinue('Evicted Ed')
  const spaces = page.getByRole('list', { name: 'Your spaces' })
  await expect(spaces.getByRole('link', { name: 'Personal' })).toBeVisible()

  // What eviction leaves behind: the identity's records, and no spaces.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase('commonplace-echo')
        request.onsuccess = () => resolve()
        request.onerror = () => reject(new Error(String(request.error)))
      }),
  )
  await page.reload()
  await expect(page.getByRole('alert')).toContainText("Your spaces are no longer in this browser's storage")
  await expect(page.getByTestId('display-name')).toHaveText('Evicted Ed')
  await expect(spaces.getByRole('link')).toHaveCount(0)

  await page.getByRole('button', { name: 'Start again with an empty personal space' }).click()
  await expect(spaces.getByRole('link', { name: 'Personal' })).toBeVisible()
  await expect(page.getByRole('alert')).toBeHidden()
})
